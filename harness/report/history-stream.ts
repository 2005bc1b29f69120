/**
 * Streams history.jsonl line by line (histories can be large). A harness killed mid-write leaves a
 * truncated last line: that one is dropped and counted, never fatal. A bad line elsewhere is also
 * skipped and counted, so a damaged history still gives a report that says what was lost.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Op } from '../../api/history.ts';

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

export async function readHistory(path: string): Promise<HistoryRead> {
  const ops: Op[] = [];
  let skippedLines = 0;
  let lastBad = false;
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    const op = parseOpLine(line);
    if (op) { if (typeof op.index !== 'number') op.index = ops.length; ops.push(op); lastBad = false; }
    else { skippedLines++; lastBad = true; }
  }
  return { ops, skippedLines, truncatedTail: lastBad };
}
