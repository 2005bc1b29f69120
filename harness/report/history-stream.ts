/**
 * Streams history.jsonl line by line (histories can be large). A harness killed mid-write leaves a
 * truncated last line: that one is dropped and counted, never fatal. A bad line elsewhere is also
 * skipped and counted, so a damaged history still gives a report that says what was lost.
 */
import type { Op } from '../../api/history.ts';
import { fileLinesAsync } from '../history/reader.ts';

export interface HistoryRead {
  ops: Op[];
  /** lines that were not a valid op (the truncated tail of a killed run, typically) */
  skippedLines: number;
  /** true when the last non-empty line was the one skipped */
  truncatedTail: boolean;
}

export function parseOpLine(line: string): Op | null {
  let v: unknown;
  try { v = JSON.parse(line); } catch { return null; }
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (typeof o.time !== 'number' || typeof o.type !== 'string' || typeof o.f !== 'string') return null;
  if (typeof o.process !== 'number' && o.process !== 'nemesis') return null;
  return o as unknown as Op;
}

/** the lines readline would give (crlfDelay Infinity): \n, \r\n and a lone \r each end a line */
export async function* historyLines(path: string, chunkBytes?: number): AsyncGenerator<string> {
  for await (const { text } of fileLinesAsync(path, chunkBytes)) {
    if (!text.includes('\r')) { yield text; continue; }
    yield* (text.endsWith('\r') ? text.slice(0, -1) : text).split('\r');
  }
}

/** Streams the file a chunk at a time: only the parsed ops stay in memory. */
export async function readHistory(path: string, chunkBytes?: number): Promise<HistoryRead> {
  const ops: Op[] = [];
  let skippedLines = 0;
  let lastBad = false;
  for await (const line of historyLines(path, chunkBytes)) {
    if (line.trim() === '') continue;
    const op = parseOpLine(line);
    if (op) { if (typeof op.index !== 'number') op.index = ops.length; ops.push(op); lastBad = false; }
    else { skippedLines++; lastBad = true; }
  }
  return { ops, skippedLines, truncatedTail: lastBad };
}
