import { UsageError } from '../cli/usage-error.ts';
import { COMMANDS, flagSpec, type Command } from './flags.ts';

export interface ParsedArgv {
  command: Command;
  /** positional arguments after the subcommand */
  positionals: string[];
  /** flag name (no dashes) → value; switches are true */
  flags: Record<string, string | true>;
}

/**
 * argv (after `npm run jepsen --`) → subcommand, positionals and flags. Accepts `--flag value` and
 * `--flag=value`. Unknown flags, missing values and flags of another subcommand are UsageErrors.
 */
export function parseArgv(argv: readonly string[]): ParsedArgv {
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h') { flags.help = true; continue; }
    if (!a.startsWith('--')) {
      if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) throw new UsageError(`unknown option ${a}; flags are written --name (see --help)`);
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq === -1 ? undefined : eq);
    const spec = flagSpec(name);
    if (!spec) throw new UsageError(`unknown flag --${name}; see --help for the flags`);
    if (name in flags) throw new UsageError(`--${name} given twice`);
    if (!spec.arg) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    if (eq !== -1) { flags[name] = a.slice(eq + 1); continue; }
    const v = argv[i + 1];
    // a value may start with "-" (e.g. --node-args "--fsync never") but not be a known flag
    if (v === undefined || (v.startsWith('--') && flagSpec(v.slice(2).split('=')[0]!) !== undefined)) throw new UsageError(`--${name} needs a value (${spec.arg})`);
    flags[name] = v;
    i++;
  }
  let command: Command = 'run';
  if (positionals.length > 0 && (COMMANDS as readonly string[]).includes(positionals[0]!)) command = positionals.shift() as Command;
  else if (positionals.length > 0 && command === 'run') throw new UsageError(`unknown command "${positionals[0]}"; commands: ${COMMANDS.join(', ')} (see --help)`);
  for (const name of Object.keys(flags)) {
    const spec = flagSpec(name)!;
    if (!spec.for.includes(command)) throw new UsageError(`--${name} does not apply to "${command}" (it is for: ${spec.for.join(', ')})`);
  }
  return { command, positionals, flags };
}
