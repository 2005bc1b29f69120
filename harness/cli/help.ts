import { COMMANDS, FLAGS, type Command } from '../config/flags.ts';

const USAGE: Record<Command, string> = {
  run: 'npm run jepsen -- [run] --workload bank|lww|history [flags]   run one test (default command)',
  check: 'npm run jepsen -- check <run dir | history.jsonl> [--workload W]   re-run the checkers on a stored history\n       npm run jepsen -- check --model cas-register|kv|lww FILE   linearizability of a history file (also Jepsen/porcupine logs)',
  cluster: 'npm run jepsen -- cluster up|status|down [--system NAME|PATH] [--nodes N] [--all]   start nodes for manual work, show them, remove them',
  export: 'npm run jepsen -- export --edn <run dir> [--out FILE]   write Jepsen EDN (history.edn) for Elle, Knossos, elle-cli',
  report: 'npm run jepsen -- report <run dir>   (re)write the run\'s report.html',
  serve: 'npm run jepsen -- serve [--port 8080] [--store DIR]   browse stored runs',
  systems: 'npm run jepsen -- systems   list the built-in systems with the workloads and runtimes each supports',
  sweep: 'npm run jepsen -- sweep --runtime sim --seeds N [run flags] [--keep-going]   run many seeds on the simulator on every core; stops at the first unexpected verdict',
  shrink: 'npm run jepsen -- shrink <run dir> [--tries N]   find a smaller simulated run that still fails the same checker (fewer ops, faults, nodes, a shorter run)',
};

/** --help text, generated from the flag table so it always lists every flag with its default */
export function helpText(command?: Command): string {
  const cmds = command ? [command] : (Object.keys(USAGE) as Command[]);
  const lines = ['splitbrain: a Jepsen-style chaos test harness', '', 'usage:'];
  for (const c of cmds) lines.push('  ' + USAGE[c]);
  lines.push('', 'flags:');
  const shown = FLAGS.filter((f) => !command || f.for.includes(command));
  const left = shown.map((f) => `--${f.name}${f.arg ? ' ' + f.arg : ''}`);
  const w = Math.max(...left.map((s) => s.length));
  shown.forEach((f, i) => {
    const dflt = f.default !== undefined && f.default !== '' ? ` (default ${f.default})` : '';
    const scope = command ? '' : `  [${f.for.length === COMMANDS.length ? 'all' : f.for.join(', ')}]`;
    lines.push(`  ${left[i]!.padEnd(w)}  ${f.help}${dflt}${scope}`);
  });
  lines.push('', 'exit codes: 0 all checks as expected, 1 a check failed unexpectedly, 2 unknown, 254 bad arguments, 255 the harness crashed');
  return lines.join('\n') + '\n';
}
