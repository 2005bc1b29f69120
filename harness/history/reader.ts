import { readFileSync } from 'node:fs';
import type { Op } from '../../api/history.ts';

export interface ReadHistory {
  ops: Op[];
  /** set when the last line was cut short (the harness was killed mid-write) and was skipped */
  tornTail: boolean;
}

/**
 * Parses history.jsonl. A torn last line (no newline, not JSON) is skipped and reported, since a
 * killed harness can leave one; any other bad line is an error naming its line number.
 */
export function parseHistory(text: string, source = 'history'): ReadHistory {
  const lines = text.split('\n');
  const endsClean = text.length === 0 || text.endsWith('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const ops: Op[] = [];
  let tornTail = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (i === lines.length - 1 && !endsClean) { tornTail = true; break; }
      throw new Error(`${source}: line ${i + 1} is not JSON: ${line.slice(0, 80)}`);
    }
    const problem = opProblem(parsed);
    if (problem) throw new Error(`${source}: line ${i + 1}: ${problem}`);
    ops.push(parsed as Op);
  }
  return { ops, tornTail };
}

export function readHistoryFile(path: string): ReadHistory {
  return parseHistory(readFileSync(path, 'utf8'), path);
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
