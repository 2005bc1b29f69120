import { readFileSync } from 'node:fs';
import { parseEDNString } from 'edn-data';
import type { Op, OpType } from '../../api/history.ts';
import { parseHistory } from './reader.ts';

/**
 * Reads a Jepsen store's history.edn (what Jepsen, Elle and our own `export --edn` write): one op
 * map per line, or one vector (or list) of op maps. Keywords become strings (`:invoke` ->
 * "invoke", `:process :nemesis` -> "nemesis"), vectors, lists and sets become arrays, nil null,
 * maps objects (integer keys as their digits). `:txn` values become micro-op arrays
 * (`[:append 1 2]` -> ["append", 1, 2], `[:r 1 nil]` -> ["r", 1, null]). Anything else is not a
 * history, and the Error says what was expected, where, and what was there.
 */
const OPTS: NonNullable<Parameters<typeof parseEDNString>[1]> = { mapAs: 'object', keywordAs: 'string', setAs: 'array', listAs: 'array', charAs: 'string', symbolAs: 'string' };
const TYPES: readonly string[] = ['invoke', 'ok', 'fail', 'info'];
const MAX_FORM_LINES = 200;

export function readEdnHistory(text: string, source = 'history.edn'): Op[] {
  const start = /\S/.exec(text);
  if (!start) return [];
  if (text[start.index] === '[' || text[start.index] === '(') return readVector(text, source);
  const lines = text.split('\n');
  const ops: Op[] = [];
  for (let i = 0; i < lines.length; i++) {
    let form = lines[i]!;
    if (form.trim() === '' || form.trim().startsWith(';')) continue;
    const first = i;
    let vals = parseLine(form);
    // a map written over several lines: take lines until it closes
    while (vals === undefined && i + 1 < lines.length && i - first < MAX_FORM_LINES) { form += '\n' + lines[++i]!; vals = parseLine(form); }
    if (vals === undefined) throw new Error(`${source}: line ${first + 1}: expected one EDN op map per line, like {:type :invoke, :f :read, :process 0, :value nil}; this form never closes: ${clip(lines[first]!)}`);
    if (typeof vals === 'string') throw new Error(`${source}: line ${first + 1}: expected an EDN op map like {:type :invoke, :f :read, :process 0, :value nil}, but it is not EDN (${vals}): ${clip(lines[first]!)}`);
    for (const v of vals) ops.push(toOp(v, ops.length, `${source}: line ${first + 1}`));
  }
  return ops;
}

/** the values on one line (several maps on a line are allowed), undefined when a form is still open, a message when it is not EDN */
function parseLine(line: string): unknown[] | undefined | string {
  try {
    const v = parseEDNString('[' + line + '\n]', OPTS);
    return Array.isArray(v) ? v : undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function readVector(text: string, source: string): Op[] {
  let v: unknown;
  try { v = parseEDNString(text, OPTS); } catch (e) { throw new Error(`${source}: expected a vector of EDN op maps, but it is not EDN: ${(e as Error).message}`); }
  if (!Array.isArray(v)) throw new Error(`${source}: expected a vector of EDN op maps, but the vector never closes`);
  return v.map((x, i) => toOp(x, i, `${source}: op ${i + 1} of the vector`));
}

function toOp(x: unknown, position: number, where: string): Op {
  if (!x || typeof x !== 'object' || Array.isArray(x)) throw new Error(`${where}: expected an op map like {:type :invoke, :f :read, :process 0, :value nil}, saw ${clip(JSON.stringify(x) ?? String(x))}`);
  const m = x as Record<string, unknown>;
  const type = m.type;
  if (typeof type !== 'string' || !TYPES.includes(type)) throw new Error(`${where}: expected :type to be :invoke, :ok, :fail or :info, saw ${clip(JSON.stringify(type) ?? 'nothing')}`);
  let process = num(m.process);
  if (process === undefined && m.process !== 'nemesis') throw new Error(`${where}: expected :process to be an integer or :nemesis, saw ${clip(JSON.stringify(m.process) ?? 'nothing')}`);
  const f = m.f;
  if (typeof f !== 'string' && typeof f !== 'number') throw new Error(`${where}: expected :f to be a keyword, saw ${clip(JSON.stringify(f) ?? 'nothing')}`);
  const op: Op = {
    index: num(m.index) ?? position,
    time: num(m.time) ?? 0,
    type: type as OpType,
    process: process ?? 'nemesis',
    f: String(f),
    value: f === 'txn' ? txnValue(m.value) : plain(m.value),
  };
  if (m.node !== undefined && m.node !== null) op.node = typeof m.node === 'string' ? m.node : JSON.stringify(plain(m.node));
  if (m.error !== undefined && m.error !== null) op.error = typeof m.error === 'string' ? m.error : JSON.stringify(plain(m.error));
  return op;
}

/** micro-ops [[:append k v] ...] as [["append", k, v] ...]; the keyword already became a string */
function txnValue(v: unknown): unknown {
  if (!Array.isArray(v)) return plain(v);
  return v.map((m) => (Array.isArray(m) ? m.map(plain) : plain(m)));
}

/** bigints (huge integers) as numbers, Dates as ISO strings, the rest as it is */
function plain(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

function clip(s: string): string {
  return s.length > 100 ? s.slice(0, 97) + '...' : s;
}

/**
 * A history file in either format: our history.jsonl (JSON objects, one per line) or Jepsen's
 * history.edn, told apart by the first form (`{"` is JSON, `{:` or `[` is EDN).
 */
export function readHistoryFile(path: string): Op[] {
  const text = readFileSync(path, 'utf8');
  return isJsonl(text) ? parseHistory(text, path).ops : readEdnHistory(text, path);
}

export function isJsonl(text: string): boolean {
  return /^\s*\{\s*"/.test(text);
}
