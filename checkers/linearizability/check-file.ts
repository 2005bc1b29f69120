import { readFile } from 'node:fs/promises';
import { checkLinearizability, checkLinearizabilityAsync, type LinOptions, type LinResult } from './check.ts';
import type { Model, ReadResult } from './model.ts';
import { models } from './models/index.ts';
import { readJepsenEtcdLog } from './readers/etcd-log.ts';
import { readHistoryJsonl } from './readers/history.ts';
import { readKvLog } from './readers/kv-log.ts';

/** A mistake in how the check was asked for (unknown model, unreadable file): the CLI prints it and exits 254. */
export class LinUsageError extends Error {}

export type HistoryFormat = 'history-jsonl' | 'jepsen-etcd' | 'kv-log';

/** which format a history file is in, from its first non-empty line */
export function detectFormat(text: string): HistoryFormat | undefined {
  const first = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  if (first.startsWith('{"') || first.startsWith('{ "')) return 'history-jsonl';
  if (first.startsWith('{:')) return 'kv-log';
  if (/jepsen\.util/.test(first)) return 'jepsen-etcd';
  return undefined;
}

const READERS: Record<HistoryFormat, (text: string) => ReadResult> = {
  'history-jsonl': readHistoryJsonl,
  'jepsen-etcd': readJepsenEtcdLog,
  'kv-log': readKvLog,
};

/**
 * Checks ops a reader produced. Lines the reader could not interpret make the verdict "unknown":
 * dropping an unreadable write could turn into a false alarm, so nothing is guessed.
 */
export function checkRead(read: ReadResult, model: Model<any, any, any>, options: LinOptions = {}): LinResult {
  return unreadable(read, model) ?? checkLinearizability(read.ops, model, options);
}

/** checkRead, yielding to the event loop during a long search */
export async function checkReadAsync(read: ReadResult, model: Model<any, any, any>, options: LinOptions = {}): Promise<LinResult> {
  return unreadable(read, model) ?? checkLinearizabilityAsync(read.ops, model, options);
}

function unreadable(read: ReadResult, model: Model<any, any, any>): LinResult | undefined {
  if (read.problems.length === 0) return undefined;
  const reason = `${read.problems.length} history line(s) could not be read, e.g. ${read.problems.slice(0, 3).join('; ')}`;
  return {
    valid: 'unknown', summary: `not checked: ${reason}`, reason, problems: read.problems.slice(0, 100),
    model: model.name, opCount: read.ops.length, partitionCount: 0, partitionsChecked: 0, cacheEntries: 0,
  };
}

export function modelByName(name: string): Model<any, any, any> {
  const model = models[name];
  if (!model) throw new LinUsageError(`unknown model "${name}"; choose one of: ${Object.keys(models).join(', ')}`);
  return model;
}

/**
 * `npm run jepsen -- check --model <name> FILE`: reads FILE (our history.jsonl, a Jepsen etcd log
 * or a porcupine kv log, detected from its content) and checks it against the named model.
 * An empty file is an empty history (linearizable). Throws LinUsageError only for an unknown model,
 * an unreadable file or an unrecognised format; a bad history is reported in the result.
 */
export async function checkFile(path: string, modelName: string, options: LinOptions = {}): Promise<LinResult & { file: string; format: HistoryFormat | 'empty' }> {
  const model = modelByName(modelName);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new LinUsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (text.trim() === '') return { ...checkLinearizability([], model, options), file: path, format: 'empty' };
  const format = detectFormat(text);
  if (!format) throw new LinUsageError(`${path}: not a history.jsonl, Jepsen etcd log or kv log (first line not recognised)`);
  return { ...(await checkReadAsync(READERS[format](text), model, options)), file: path, format };
}
