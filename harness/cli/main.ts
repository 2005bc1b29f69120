/**
 * `npm run jepsen -- …`: the CLI entry. Parses argv, dispatches to the subcommand, and owns the
 * exit code: 0/1/2 from the checks, 254 for a user's mistake (one line, no stack trace),
 * 255 when the harness itself crashed (after healing and tearing down whatever it started).
 */
import { parseArgv } from '../config/argv.ts';
import { UsageError } from './usage-error.ts';
import { helpText } from './help.ts';
import { runEmergencyCleanups } from '../runner/emergency.ts';

async function main(argv: string[]): Promise<number | 'keep-running'> {
  const { command, positionals, flags } = parseArgv(argv);
  if (flags.help === true) { process.stdout.write(helpText(argv.length > 1 || command !== 'run' ? command : undefined)); return 0; }
  switch (command) {
    case 'run': {
      if (positionals.length) throw new UsageError(`run takes no arguments, got "${positionals[0]}" (flags are --name value)`);
      const { runCommand } = await import('../commands/run.ts');
      return runCommand(flags, { out: process.stdout, argv });
    }
    case 'check': return (await import('../commands/check.ts')).checkCommand(positionals, flags, process.stdout);
    case 'export': return (await import('../commands/export.ts')).exportCommand(positionals, flags, process.stdout);
    case 'cluster': return (await import('../commands/cluster.ts')).clusterCommand(positionals, flags, process.stdout);
    case 'report': return (await import('../commands/report.ts')).reportCommand(positionals, process.stdout);
    case 'systems': return (await import('../commands/systems.ts')).systemsCommand(process.stdout);
    case 'sweep': return (await import('../commands/sweep.ts')).sweepCommand(positionals, flags, process.stdout);
    case 'shrink': return (await import('../commands/shrink.ts')).shrinkCommand(positionals, flags, process.stdout);
    case 'serve': {
      await (await import('../commands/report.ts')).serveCommand(flags);
      return 'keep-running';
    }
  }
}

/**
 * Leave with `code` once stdout and stderr have taken everything, always through process.exit and
 * never by letting the event loop run dry: Node 20's natural exit (FreeEnvironment → CleanupHandles)
 * was caught spinning forever at 100% CPU, no system calls, after a Ctrl-C cut a node's restart
 * short (gdb: uv_run(UV_RUN_ONCE) in a loop, waiting on a handle that libuv no longer runs).
 * process.exit skips that cleanup. The timer is ref'd, so the loop cannot run dry before it.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  const timer = setTimeout(() => process.exit(code), 2000);
  process.stdout.write('', () => process.stderr.write('', () => { clearTimeout(timer); process.exit(code); }));
}

let crashing = false;
async function crash(e: unknown): Promise<never> {
  if (crashing) process.exit(255);
  crashing = true;
  const err = e as Error;
  if (err?.name === 'ClusterSetupError') process.stderr.write(`splitbrain: ${err.message}\n`);
  else process.stderr.write(`splitbrain: the harness crashed: ${err?.message ?? String(e)}\n${err?.stack ? err.stack.split('\n').slice(1, 6).join('\n') + '\n' : ''}`);
  await runEmergencyCleanups();
  process.exit(255);
}

process.on('uncaughtException', (e) => void crash(e));
process.on('unhandledRejection', (e) => void crash(e));

main(process.argv.slice(2)).then(
  (code) => {
    if (code === 'keep-running') return;
    exitWhenFlushed(code);
  },
  async (e) => {
    if (e instanceof UsageError) {
      process.stderr.write(`splitbrain: ${e.message}\n`);
      await runEmergencyCleanups();
      process.exit(254);
    }
    await crash(e);
  },
);
