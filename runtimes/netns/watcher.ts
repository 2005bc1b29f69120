/**
 * The run's watcher: a detached process that removes the run's namespaces, bridge and rule (and
 * so every node process in them) once the harness is gone, however it went: a normal exit without
 * teardown, a crash, or SIGKILL, which no handler in the harness can catch.
 *
 * Usage (spawned by watch.ts): node --import tsx watcher.ts <state file>
 * - stdin is a pipe from the harness; it closes when the harness exits for any reason. Polling our
 *   parent pid backs it up.
 * - then, if the state file is still there (the harness did not tear down), remove the run.
 *   A harness that tore down removed the file first, so the watcher just exits.
 * - its own session (spawned detached): a Ctrl-C to the harness's terminal does not reach it.
 */
import { removeRun } from './leftovers.ts';
import { readState } from './state.ts';

const statePath = process.argv[2];
if (!statePath) {
  process.stderr.write('watcher: usage: watcher.ts <state file>\n');
  process.exit(254);
}
const parent = process.ppid;
const say = (msg: string) => process.stderr.write(`[netns watcher ${process.pid}] ${msg}\n`);

let done = false;
function harnessGone(why: string): void {
  if (done) return;
  done = true;
  const state = readState(statePath!);
  if (state) {
    say(`${why}: removing run ${state.runId} (${Object.values(state.names.ns).join(', ')}, ${state.names.bridge})`);
    const stuck = removeRun(state);
    if (stuck.length) say(`processes that would not die: ${stuck.join(', ')}`);
  }
  process.exit(0);
}

process.stdin.on('end', () => harnessGone('harness closed the pipe'));
process.stdin.on('close', () => harnessGone('harness closed the pipe'));
process.stdin.on('error', () => harnessGone('harness pipe failed'));
process.stdin.resume();
setInterval(() => { if (process.ppid !== parent) harnessGone(`harness ${parent} is gone`); }, 250);
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => harnessGone(sig));
process.stdout.on('error', () => {});
process.stdout.write('ready\n');
