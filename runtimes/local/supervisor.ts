/**
 * Supervisor: a tiny process between the harness and one node, so that a node never outlives the
 * harness, even when the harness is SIGKILLed and has no chance to clean up.
 *
 * Usage (spawned by node-process.ts):
 *   node --import tsx supervisor.ts [--setenv K=V ...] -- <command> [args...]
 * - --setenv adds K=V to the node's environment only (e.g. LD_PRELOAD of libfaketime: the
 *   supervisor itself keeps the real clock).
 * - stdin is a pipe from the harness. It closes when the harness exits for any reason; then the
 *   node is SIGKILLed. Polling our parent pid backs this up (the pipe could in theory be shared).
 * - stdout: one JSON line {"pid": N} once the node is spawned (the harness signals the node directly
 *   for pause/kill, so SIGSTOP stops the node and not this watchdog).
 * - stderr is the node's log file; the node's stdout and stderr go there too.
 * - SIGTERM/SIGINT/SIGHUP are passed on to the node (after SIGCONT, in case it is paused).
 * - The supervisor exits when the node exits, with the node's exit code (128+n for signal n).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const sep = process.argv.indexOf('--');
const [command, ...args] = sep >= 0 ? process.argv.slice(sep + 1) : [];
if (!command) {
  process.stderr.write('supervisor: usage: supervisor.ts -- <command> [args...]\n');
  process.exit(254);
}

const nodeEnv: NodeJS.ProcessEnv = { ...process.env };
for (let i = 2; i < (sep >= 0 ? sep : process.argv.length); i++) {
  if (process.argv[i] !== '--setenv') continue;
  const kv = process.argv[++i] ?? '';
  const eq = kv.indexOf('=');
  if (eq > 0) nodeEnv[kv.slice(0, eq)] = kv.slice(eq + 1);
}

const parentPid = process.ppid;
const say = (msg: string) => process.stderr.write(`[supervisor ${process.pid}] ${msg}\n`);

const child = spawn(command, args, { stdio: ['ignore', 2, 2], env: nodeEnv });

function killChild(reason: string): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  say(`${reason}: SIGKILL node ${child.pid}`);
  try { child.kill('SIGKILL'); } catch { /* already gone */ }
}

child.on('error', (err) => {
  say(`could not start ${command}: ${err.message}`);
  process.exit(127);
});
child.on('spawn', () => {
  process.stdout.on('error', () => { /* harness gone; stdin watchdog handles it */ });
  process.stdout.write(JSON.stringify({ pid: child.pid }) + '\n');
});
child.on('exit', (code, sig) => {
  say(`node ${child.pid} exited (${sig ? 'signal ' + sig : 'code ' + code})`);
  process.exit(code ?? 128 + (sig ? constants.signals[sig] : 0));
});

process.stdin.on('end', () => killChild('harness closed the pipe'));
process.stdin.on('close', () => killChild('harness closed the pipe'));
process.stdin.on('error', () => killChild('harness pipe failed'));
process.stdin.resume();

setInterval(() => {
  if (process.ppid !== parentPid) killChild(`harness ${parentPid} is gone`);
}, 250);

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(sig, () => {
    try { child.kill('SIGCONT'); child.kill(sig); } catch { /* already gone */ }
  });
}
