import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { HistoryRecorder, historyLine } from '../history/recorder.ts';
import { parseHistory, readHistoryFile } from '../history/reader.ts';
import { processModelViolations, pendingInvokes } from '../history/process-model.ts';
import { ProcessIds } from '../runner/process-ids.ts';
import type { Op } from '../../api/history.ts';

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

test('the recorder streams: the ops of one event-loop turn are in the file, in order and whole, at the end of that turn', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-rec-'));
  try {
    const path = join(dir, 'history.jsonl');
    const rec = new HistoryRecorder(path);
    rec.record({ type: 'invoke', process: 0, f: 'read', value: null, node: 'n1' });
    await nextTurn();
    assert.equal(readFileSync(path, 'utf8').split('\n').length, 2);
    rec.record({ type: 'ok', process: 0, f: 'read', value: { 0: 10 }, node: 'n1' });
    rec.record({ type: 'info', process: 'nemesis', f: 'heal', value: null });
    await nextTurn();
    // not closed: a killed harness leaves exactly this
    const { ops, tornTail } = readHistoryFile(path);
    assert.equal(tornTail, false);
    assert.deepEqual(ops.map((o) => [o.index, o.type, o.process, o.f]), [[0, 'invoke', 0, 'read'], [1, 'ok', 0, 'read'], [2, 'info', 'nemesis', 'heal']]);
    assert.ok(ops[0]!.time <= ops[1]!.time && ops[1]!.time <= ops[2]!.time, 'times are monotonic');
    assert.equal(ops[2]!.node, undefined);
    rec.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the recorder writes what this turn recorded on close', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-rec-'));
  try {
    const path = join(dir, 'h.jsonl');
    const rec = new HistoryRecorder(path);
    rec.record({ type: 'invoke', process: 0, f: 'read', value: null });
    rec.close();
    assert.equal(readHistoryFile(path).ops.length, 1);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a history line is the JSON of the op in Jepsen\'s field order, without the fields it lacks', () => {
  const op = fc.record({
    index: fc.nat(), time: fc.nat(), type: fc.constantFrom('invoke', 'ok', 'fail', 'info') as fc.Arbitrary<Op['type']>,
    process: fc.oneof(fc.nat(), fc.constant('nemesis' as const)), f: fc.string(), value: fc.oneof(fc.jsonValue(), fc.constant(undefined)),
    node: fc.option(fc.string(), { nil: undefined }), error: fc.option(fc.string(), { nil: undefined }),
  }, { requiredKeys: ['index', 'time', 'type', 'process', 'f', 'value'] });
  fc.assert(fc.property(op, (o) => {
    const line = historyLine(o);
    assert.equal(line, JSON.stringify({ index: o.index, time: o.time, type: o.type, process: o.process, f: o.f, value: o.value ?? null, node: o.node, error: o.error }) + '\n');
    const { node, error, ...rest } = o;
    // the value as JSON has it (fast-check's JSON values include -0, which JSON writes as 0)
    assert.deepEqual(parseHistory(line).ops, [{ ...rest, value: JSON.parse(JSON.stringify(o.value ?? null)), ...(node === undefined ? {} : { node }), ...(error === undefined ? {} : { error }) }]);
  }), { numRuns: 500 });
});

test('the clock restarts only before the first op', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-rec-'));
  try {
    const rec = new HistoryRecorder(join(dir, 'h.jsonl'), process.hrtime.bigint() - 10_000_000_000n);
    rec.startClock();
    const first = rec.record({ type: 'invoke', process: 0, f: 'read', value: null });
    assert.ok(first.time < 10_000_000_000, 'time counts from startClock, not from construction');
    rec.startClock();
    const second = rec.record({ type: 'ok', process: 0, f: 'read', value: null });
    assert.ok(second.time >= first.time, 'a later startClock does not move time back');
    rec.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a torn last line is skipped and reported; a bad line in the middle is an error with its number', () => {
  const good = '{"index":0,"time":1,"type":"invoke","process":0,"f":"read","value":null}\n';
  const torn = parseHistory(good + '{"index":1,"time":2,"ty');
  assert.equal(torn.ops.length, 1);
  assert.equal(torn.tornTail, true);
  assert.throws(() => parseHistory(good + 'garbage\n' + good), /line 2 is not JSON/);
  assert.throws(() => parseHistory('{"index":0,"time":1,"type":"done","process":0,"f":"x"}\n'), /line 1: bad "type"/);
  assert.deepEqual(parseHistory(''), { ops: [], tornTail: false });
});

test('killed mid-write: a file with a partial line still reads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-rec-'));
  try {
    const path = join(dir, 'history.jsonl');
    const rec = new HistoryRecorder(path);
    for (let i = 0; i < 5; i++) rec.record({ type: 'invoke', process: i, f: 'append', value: [0, i] });
    await nextTurn();
    appendFileSync(path, '{"index":5,"ti');
    const { ops, tornTail } = readHistoryFile(path);
    assert.equal(ops.length, 5);
    assert.ok(tornTail);
    rec.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

/** builds a history the way the runner does, from a script of (worker, outcome) steps */
function simulate(concurrency: number, steps: { worker: number; outcome: 'ok' | 'fail' | 'info' | 'pending' }[]): { ops: Op[]; pending: number } {
  const pids = new ProcessIds(concurrency);
  const ops: Op[] = [];
  const open = new Map<number, number>();
  const push = (o: Omit<Op, 'index' | 'time'>) => ops.push({ ...o, index: ops.length, time: ops.length });
  for (const s of steps) {
    const w = s.worker % concurrency;
    if (open.has(w)) continue; // a worker waits for its op: pending ops end that worker
    const p = pids.of(w);
    push({ type: 'invoke', process: p, f: 'write', value: 1 });
    if (s.outcome === 'pending') { open.set(w, p); continue; }
    push({ type: s.outcome, process: p, f: 'write', value: 1 });
    if (s.outcome === 'info') pids.retire(w);
  }
  return { ops, pending: open.size };
}

test('process ids: histories made with ProcessIds follow the model', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 8 }),
    fc.array(fc.record({ worker: fc.nat(20), outcome: fc.constantFrom('ok', 'fail', 'info', 'pending') as fc.Arbitrary<'ok' | 'fail' | 'info' | 'pending'> }), { maxLength: 200 }),
    (c, steps) => {
      const { ops, pending } = simulate(c, steps);
      assert.deepEqual(processModelViolations(ops, c), []);
      // every process belongs to the worker p mod c, and after an info that process never appears again
      const infoAt = new Map<number, number>();
      for (const op of ops) {
        const p = op.process as number;
        if (infoAt.has(p)) assert.fail(`process ${p} used after info at ${infoAt.get(p)}`);
        if (op.type === 'info') infoAt.set(p, op.index);
      }
      assert.equal(pendingInvokes(ops).length, pending);
    },
  ));
});

test('process model violations are found', () => {
  const mk = (rows: [Op['type'], number, string][]): Op[] => rows.map(([type, process, f], index) => ({ index, time: index, type, process, f, value: null }));
  assert.match(processModelViolations(mk([['invoke', 0, 'w'], ['info', 0, 'w'], ['invoke', 0, 'w']]), 2)[0]!, /retired/);
  assert.match(processModelViolations(mk([['invoke', 0, 'w'], ['invoke', 0, 'w']]), 2)[0]!, /still open/);
  assert.match(processModelViolations(mk([['ok', 1, 'w']]), 2)[0]!, /without an open invoke/);
  assert.match(processModelViolations(mk([['invoke', 2, 'w'], ['info', 2, 'w'], ['invoke', 0, 'w']]), 2)[0]!, /moved on/);
  assert.match(processModelViolations(mk([['invoke', 0, 'w'], ['ok', 0, 'r']]), 2)[0]!, /does not match/);
  assert.deepEqual(pendingInvokes(mk([['invoke', 0, 'w'], ['invoke', 1, 'w'], ['ok', 1, 'w']])).map((o) => o.process), [0]);
});

test('ProcessIds: retire moves a worker on by the concurrency', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 50 }), fc.array(fc.nat(100), { maxLength: 100 }), (c, retires) => {
    const pids = new ProcessIds(c);
    const times = new Array(c).fill(0);
    for (const r of retires) { const w = r % c; pids.retire(w); times[w]++; }
    for (let w = 0; w < c; w++) {
      assert.equal(pids.of(w), w + times[w] * c);
      assert.equal(ProcessIds.workerOf(pids.of(w), c), w);
    }
  }));
});
