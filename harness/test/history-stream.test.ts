import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import type { Op } from '../../api/history.ts';
import { parseHistory, readHistoryFile } from '../history/reader.ts';
import { parseOpLine, readHistory } from '../report/history-stream.ts';

/**
 * Issue #20: `check` and `report` stream history.jsonl a chunk at a time instead of holding the
 * text (and its lines) next to the parsed ops. The streaming readers must give what the old
 * whole-file readers gave on the same file, whatever the chunk size cuts through: below, the old
 * readers verbatim, compared on generated files with tiny chunks.
 */

/** the old check reader: the whole text, split into lines */
function oldParseHistory(text: string, source = 'history'): { ops: Op[]; tornTail: boolean } {
  const lines = text.split('\n');
  const endsClean = text.length === 0 || text.endsWith('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const ops: Op[] = [];
  let tornTail = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try { parsed = JSON.parse(line); } catch {
      if (i === lines.length - 1 && !endsClean) { tornTail = true; break; }
      throw new Error(`${source}: line ${i + 1} is not JSON: ${line.slice(0, 80)}`);
    }
    const o = parsed as Record<string, unknown>;
    const problem = typeof o !== 'object' || o === null || Array.isArray(o) ? 'not an object'
      : typeof o.index !== 'number' ? 'missing numeric "index"'
      : typeof o.time !== 'number' ? 'missing numeric "time"'
      : !['invoke', 'ok', 'fail', 'info'].includes(o.type as string) ? `bad "type" ${JSON.stringify(o.type)}`
      : typeof o.process !== 'number' && o.process !== 'nemesis' ? `bad "process" ${JSON.stringify(o.process)}`
      : typeof o.f !== 'string' ? 'missing string "f"' : null;
    if (problem) throw new Error(`${source}: line ${i + 1}: ${problem}`);
    ops.push(parsed as Op);
  }
  return { ops, tornTail };
}

/** the old report reader: readline over a utf8 stream */
async function oldReadHistory(path: string) {
  const ops: Op[] = [];
  let skippedLines = 0, lastBad = false;
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    const op = parseOpLine(line);
    if (op) { if (typeof op.index !== 'number') op.index = ops.length; ops.push(op); lastBad = false; }
    else { skippedLines++; lastBad = true; }
  }
  return { ops, skippedLines, truncatedTail: lastBad };
}

const value = fc.oneof(fc.constant(null), fc.integer(), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.array(fc.integer(), { maxLength: 4 }),
  fc.record({ from: fc.nat(9), to: fc.nat(9), amount: fc.nat(5) }), fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 3 }), fc.integer(), { maxKeys: 3 }));
const opLine = fc.record({
  index: fc.nat(1e6), time: fc.nat(), type: fc.constantFrom('invoke', 'ok', 'fail', 'info'), process: fc.oneof(fc.nat(20), fc.constant('nemesis')),
  f: fc.constantFrom('read', 'write', 'transfer', 'héal', '写'), value, node: fc.constantFrom('n1', 'n2', undefined),
}).map((o) => JSON.stringify(o));
const badLine = fc.oneof(fc.constant('garbage'), fc.constant('{"index":1,"time":2,"ty'), fc.constant('{"index":0,"time":1,"type":"done","process":0,"f":"x"}'),
  fc.constant('[1,2]'), fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, '')));
const blank = fc.constantFrom('', ' ', '\t');
const line = fc.oneof({ weight: 8, arbitrary: opLine }, { weight: 1, arbitrary: badLine }, { weight: 1, arbitrary: blank });
const file = fc.record({
  lines: fc.array(line, { maxLength: 25 }),
  crlf: fc.boolean(),
  tail: fc.oneof(fc.constant(''), fc.constant('{"index":99,"time":1,"type":"inv'), opLine),
  chunk: fc.integer({ min: 1, max: 64 }),
}).map(({ lines, crlf, tail, chunk }) => ({ text: lines.map((l) => l + (crlf ? '\r\n' : '\n')).join('') + tail, chunk }));

const outcome = <T>(f: () => T): { ok: T } | { error: string } => { try { return { ok: f() }; } catch (e) { return { error: (e as Error).message }; } };

test('streaming check reader = the old whole-text reader on the same file, ops or error alike, for any chunk size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-stream-'));
  try {
    const path = join(dir, 'history.jsonl');
    fc.assert(fc.property(file, ({ text, chunk }) => {
      writeFileSync(path, text);
      const want = outcome(() => oldParseHistory(readFileSync(path, 'utf8'), path));
      assert.deepEqual(outcome(() => readHistoryFile(path, chunk)), want);
      assert.deepEqual(outcome(() => parseHistory(text, path)), want);
    }), { numRuns: 300 });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('streaming report reader = the old readline reader on the same file, for any chunk size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-stream-'));
  try {
    const path = join(dir, 'history.jsonl');
    // report files may also hold lone \r (readline breaks lines there too)
    const withCr = fc.tuple(file, fc.array(fc.nat(), { maxLength: 3 })).map(([f, at]) => {
      let t = f.text;
      for (const a of at) { const i = t.length ? a % t.length : 0; t = t.slice(0, i) + '\r' + t.slice(i); }
      return { text: t, chunk: f.chunk };
    });
    await fc.assert(fc.asyncProperty(withCr, async ({ text, chunk }) => {
      writeFileSync(path, text);
      assert.deepEqual(await readHistory(path, chunk), await oldReadHistory(path));
    }), { numRuns: 200 });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
