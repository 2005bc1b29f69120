import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Op } from '../../api/history.ts';

export interface ReadHistory {
  ops: Op[];
  /** set when the last line was cut short (the harness was killed mid-write) and was skipped */
  tornTail: boolean;
}

/** one line of a file: its text (no newline), 1-based number, and whether a newline ended it */
export interface FileLine { text: string; n: number; terminated: boolean }

const CHUNK = 1 << 20;

/**
 * Splits bytes into lines as they arrive: only the line being cut across two chunks is ever
 * copied, so a big history is never one string, nor a string plus an array of its lines. A newline
 * byte never occurs inside a multi-byte UTF-8 character, so each line decodes on its own.
 */
class LineSplitter {
  private rest: Buffer | null = null;
  private n = 0;

  *push(chunk: Buffer): Generator<FileLine> {
    let buf = chunk;
    if (this.rest) { buf = Buffer.concat([this.rest, chunk]); this.rest = null; }
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      yield { text: buf.toString('utf8', start, nl), n: ++this.n, terminated: true };
      start = nl + 1;
    }
    if (start < buf.length) this.rest = Buffer.from(buf.subarray(start)); // own copy: the chunk buffer is reused
  }

  *end(): Generator<FileLine> {
    if (this.rest && this.rest.length > 0) yield { text: this.rest.toString('utf8'), n: ++this.n, terminated: false };
    this.rest = null;
  }
}

/** every line of a file, read 1 MiB at a time (synchronously) */
export function* fileLines(path: string, chunkBytes = CHUNK): Generator<FileLine> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    const split = new LineSplitter();
    for (;;) {
      const got = readSync(fd, buf, 0, chunkBytes, null);
      if (got === 0) break;
      yield* split.push(buf.subarray(0, got));
    }
    yield* split.end();
  } finally { closeSync(fd); }
}

/** every line of a file, read 1 MiB at a time without blocking the event loop */
export async function* fileLinesAsync(path: string, chunkBytes = CHUNK): AsyncGenerator<FileLine> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    const split = new LineSplitter();
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      yield* split.push(buf.subarray(0, bytesRead));
    }
    yield* split.end();
  } finally { await fh.close(); }
}

/** newline bytes in a file, counted a chunk at a time */
export async function countLines(path: string): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) return n;
      for (let i = buf.indexOf(10); i >= 0 && i < bytesRead; i = buf.indexOf(10, i + 1)) n++;
    }
  } finally { await fh.close(); }
}

/** the lines of a string, as fileLines would give them for a file holding it */
function* textLines(text: string): Generator<FileLine> {
  let start = 0, n = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
    yield { text: text.slice(start, nl), n: ++n, terminated: true };
    start = nl + 1;
  }
  if (start < text.length) yield { text: text.slice(start), n: ++n, terminated: false };
}

/**
 * Parses history.jsonl lines. A torn last line (no newline, not JSON) is skipped and reported,
 * since a killed harness can leave one; any other bad line is an error naming its line number.
 */
function parseLines(lines: Iterable<FileLine>, source: string): ReadHistory {
  const ops: Op[] = [];
  let tornTail = false;
  for (const { text: line, n, terminated } of lines) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      // only the unterminated last line can be torn
      if (!terminated) { tornTail = true; break; }
      throw new Error(`${source}: line ${n} is not JSON: ${line.slice(0, 80)}`);
    }
    const problem = opProblem(parsed);
    if (problem) throw new Error(`${source}: line ${n}: ${problem}`);
    ops.push(parsed as Op);
  }
  return { ops, tornTail };
}

export function parseHistory(text: string, source = 'history'): ReadHistory {
  return parseLines(textLines(text), source);
}

/** Streams history.jsonl: only the parsed ops stay in memory, never the file's text. */
export function readHistoryFile(path: string, chunkBytes = CHUNK): ReadHistory {
  return parseLines(fileLines(path, chunkBytes), path);
}

function opProblem(x: unknown): string | null {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return 'not an object';
  const o = x as Record<string, unknown>;
  if (typeof o.index !== 'number') return 'missing numeric "index"';
  if (typeof o.time !== 'number') return 'missing numeric "time"';
  if (!['invoke', 'ok', 'fail', 'info'].includes(o.type as string)) return `bad "type" ${JSON.stringify(o.type)}`;
  if (typeof o.process !== 'number' && o.process !== 'nemesis') return `bad "process" ${JSON.stringify(o.process)}`;
  if (typeof o.f !== 'string') return 'missing string "f"';
  return null;
}
