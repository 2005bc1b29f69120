import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { showPath } from '../terminal/show-path.ts';
import { UsageError } from '../cli/usage-error.ts';
import { readHistoryFile } from '../history/reader.ts';
import { historyToEdn } from '../history/edn.ts';
import { locateHistory } from '../runs/run-dir.ts';

/** `export --edn <run dir>`: history.jsonl → history.edn (Jepsen's format) beside it, or --out */
export function exportCommand(positionals: string[], flags: Record<string, string | true>, out: NodeJS.WritableStream): number {
  if (flags.edn !== true) throw new UsageError('export needs a format: --edn (e.g. npm run jepsen -- export --edn store/latest)');
  if (positionals.length !== 1) throw new UsageError('export --edn needs one argument: a run folder or a history.jsonl');
  const { dir, history } = locateHistory(positionals[0]!);
  if (!existsSync(history)) throw new UsageError(`export: ${positionals[0]} has no history.jsonl; give a run folder (store/<test>/<time>)`);
  let workload: string | undefined;
  try { workload = JSON.parse(readFileSync(join(dir, 'test.json'), 'utf8')).workload; } catch { workload = undefined; }
  let read;
  try { read = readHistoryFile(history); } catch (e) { throw new UsageError(`export: ${(e as Error).message}`); }
  const target = typeof flags.out === 'string' ? flags.out : join(dir, 'history.edn');
  writeFileSync(target, historyToEdn(read.ops, workload));
  out.write(`wrote ${read.ops.length} ops to ${showPath(target)}${workload === 'history' ? ' (appends and reads as Elle list-append :txn ops)' : ''}\n`);
  return 0;
}
