import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkLinearizability, casRegisterModel, ILLEGAL, kvModel, kvSingleModel, lwwModel, type LinOp, type Model } from '../index.ts';
import { bruteForce } from './helpers.ts';

type Input = { f: 'read'; key: number } | { f: 'write'; key: number; value: number } | { f: 'cas'; key: number; from: number; to: number };

const inputArb: fc.Arbitrary<Input> = fc.oneof(
  fc.record({ f: fc.constant('read' as const), key: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ f: fc.constant('write' as const), key: fc.integer({ min: 0, max: 2 }), value: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ f: fc.constant('cas' as const), key: fc.integer({ min: 0, max: 2 }), from: fc.integer({ min: 0, max: 4 }), to: fc.integer({ min: 0, max: 4 }) }),
);

const stepArb = fc.record({
  input: inputArb,
  before: fc.integer({ min: 0, max: 60 }),
  after: fc.integer({ min: 0, max: 60 }),
  pending: fc.boolean(),
  process: fc.integer({ min: 0, max: 5 }),
});

type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * A history from a sequential execution: op i takes effect at time 10i+5; its call and return are
 * stretched around that point at random (so ops overlap in real time), and some updates are left
 * pending. Every such history is linearizable by construction.
 */
function fromSequential(steps: Step[], model: Model<any, any, any>): LinOp[] {
  const state = new Map<number, unknown>();
  return steps.map(({ input, before, after, pending, process }, i) => {
    const cur = state.get(input.key) ?? model.init();
    let output: unknown = true;
    if (input.f === 'read') output = cur;
    if (input.f === 'cas') output = cur === input.from;
    const next = model.step(cur, input, output);
    assert.notEqual(next, ILLEGAL);
    state.set(input.key, next);
    const t = 10 * i + 5;
    const isPending = pending && input.f !== 'read' && !(input.f === 'cas' && output === false);
    return { process, input, output: isPending ? undefined : output, call: t - before, ret: isPending ? Infinity : t + after };
  });
}

test('property: histories from a sequential execution with random overlaps are linearizable', () => {
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 40 }), (steps) => {
      const ops = fromSequential(steps, lwwModel);
      const r = checkLinearizability(ops, lwwModel);
      assert.equal(r.valid, true, r.summary);
    }),
    { numRuns: 200 },
  );
});

test('property: the same with one read changed to a never-written value is never linearizable', () => {
  fc.assert(
    fc.property(fc.array(stepArb, { minLength: 1, maxLength: 40 }), fc.nat(), (steps, pick) => {
      const ops = fromSequential(steps, lwwModel);
      const reads = ops.filter((o) => (o.input as Input).f === 'read');
      fc.pre(reads.length > 0);
      reads[pick % reads.length]!.output = 99;
      const r = checkLinearizability(ops, lwwModel);
      assert.equal(r.valid, false, r.summary);
      // the evidence points at a key that has the bad read
      assert.ok(r.partitions![0]!.ops.some((o) => o.describe.includes('→ 99')));
    }),
    { numRuns: 200 },
  );
});

const randomOpArb = fc.record({
  input: fc.oneof(
    fc.record({ f: fc.constant('read' as const) }),
    fc.record({ f: fc.constant('write' as const), value: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ f: fc.constant('cas' as const), from: fc.integer({ min: 0, max: 2 }), to: fc.integer({ min: 0, max: 2 }) }),
  ),
  call: fc.integer({ min: 0, max: 20 }),
  length: fc.integer({ min: 0, max: 10 }),
  pending: fc.boolean(),
  readValue: fc.option(fc.integer({ min: 0, max: 2 })),
  casOk: fc.boolean(),
});

test('property: on small random histories the search agrees with brute force', () => {
  let invalid = 0, valid = 0;
  fc.assert(
    fc.property(fc.array(randomOpArb, { maxLength: 7 }), (raw) => {
      const ops: LinOp[] = raw.map((r, i) => {
        const pending = r.pending && r.input.f !== 'read' && i % 2 === 0;
        const output = r.input.f === 'read' ? r.readValue : r.input.f === 'cas' ? r.casOk : true;
        return { process: i, input: r.input, output: pending ? undefined : output, call: r.call, ret: pending ? Infinity : r.call + r.length };
      });
      const expected = bruteForce(ops, casRegisterModel);
      const got = checkLinearizability(ops, casRegisterModel).valid;
      if (expected) valid++; else invalid++;
      assert.equal(got, expected);
    }),
    { numRuns: 1500 },
  );
  // the generator must exercise both verdicts, or the comparison proves little
  assert.ok(valid > 100 && invalid > 100, `valid ${valid}, invalid ${invalid}`);
});

test('property: kv per key agrees with brute force', () => {
  const kvOpArb = fc.record({
    f: fc.constantFrom('get', 'put', 'append'),
    value: fc.constantFrom('a', 'b', ''),
    seen: fc.constantFrom('', 'a', 'b', 'ab', 'ba', 'aa'),
    call: fc.integer({ min: 0, max: 20 }),
    length: fc.integer({ min: 0, max: 10 }),
  });
  fc.assert(
    fc.property(fc.array(kvOpArb, { maxLength: 7 }), (raw) => {
      const ops: LinOp[] = raw.map((r, i) => ({
        process: i,
        input: r.f === 'get' ? { f: 'get', key: 'k' } : { f: r.f, key: 'k', value: r.value },
        output: r.f === 'get' ? r.seen : true,
        call: r.call,
        ret: r.call + r.length,
      }));
      assert.equal(checkLinearizability(ops, kvModel).valid, bruteForce(ops, kvModel));
    }),
    { numRuns: 800 },
  );
});

test('property: checking kv per key (P-compositionality) agrees with the single-map model and brute force', () => {
  const opArb = fc.record({
    f: fc.constantFrom('get', 'put', 'append'),
    key: fc.constantFrom('a', 'b'),
    value: fc.constantFrom('x', 'y'),
    seen: fc.constantFrom('', 'x', 'y', 'xy', 'yx'),
    call: fc.integer({ min: 0, max: 20 }),
    length: fc.integer({ min: 0, max: 10 }),
  });
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 7 }), (raw) => {
      const ops: LinOp[] = raw.map((r, i) => ({
        process: i,
        input: r.f === 'get' ? { f: 'get', key: r.key } : { f: r.f, key: r.key, value: r.value },
        output: r.f === 'get' ? r.seen : true,
        call: r.call,
        ret: r.call + r.length,
      }));
      const expected = bruteForce(ops, kvSingleModel);
      assert.equal(checkLinearizability(ops, kvSingleModel).valid, expected);
      assert.equal(checkLinearizability(ops, kvModel).valid, expected);
    }),
    { numRuns: 600 },
  );
});

test('property: a counterexample is a legal, real-time-respecting prefix, and the ops it could not place are the next candidates', () => {
  fc.assert(
    fc.property(fc.array(randomOpArb, { minLength: 1, maxLength: 8 }), (raw) => {
      const ops: LinOp[] = raw.map((r, i) => ({
        process: i,
        input: r.input,
        output: r.input.f === 'read' ? r.readValue : r.input.f === 'cas' ? r.casOk : true,
        call: r.call,
        ret: r.call + r.length,
      }));
      const result = checkLinearizability(ops, casRegisterModel);
      fc.pre(result.valid === false);
      const ev = result.partitions![0]!;
      let state: unknown = casRegisterModel.init();
      const placed = new Set<number>();
      for (const step of ev.longestLinearization) {
        const o = ops[step.id]!;
        // nothing still unplaced returned before this op was called
        assert.ok(ops.every((p, j) => placed.has(j) || j === step.id || !(p.ret < o.call)));
        const next = casRegisterModel.step(state as any, o.input as any, o.output);
        assert.notEqual(next, ILLEGAL);
        state = next;
        placed.add(step.id);
        assert.equal(step.stateAfter, casRegisterModel.describeState(state as any));
      }
      assert.equal(ev.stateBefore, casRegisterModel.describeState(state as any));
      const firstReturn = Math.min(...ops.filter((_, j) => !placed.has(j)).map((p) => p.ret));
      const candidates = ops.map((_, j) => j).filter((j) => !placed.has(j) && ops[j]!.call <= firstReturn);
      assert.deepEqual(ev.couldNotPlace.map((c) => c.id).sort(), candidates.sort());
    }),
    { numRuns: 800 },
  );
});

test('property: lww per key, with pending writes and cas, agrees with brute force (pending ops dropped or completed)', () => {
  const opArb = fc.record({
    input: fc.oneof(
      fc.record({ f: fc.constant('read' as const), key: fc.constantFrom(0, 1) }),
      fc.record({ f: fc.constant('write' as const), key: fc.constantFrom(0, 1), value: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ f: fc.constant('cas' as const), key: fc.constantFrom(0, 1), from: fc.integer({ min: 0, max: 3 }), to: fc.integer({ min: 0, max: 3 }) }),
    ),
    call: fc.integer({ min: 0, max: 20 }),
    length: fc.integer({ min: 0, max: 10 }),
    pending: fc.boolean(),
    readValue: fc.option(fc.integer({ min: 0, max: 3 })),
  });
  const keyed: Model<any, any, any> = {
    ...kvSingleModel, name: 'registers', init: () => new Map(),
    step: (s: Map<number, unknown>, i: Input, o: unknown) => {
      const next = lwwModel.step((s.get(i.key) ?? null) as any, i, o);
      return next === ILLEGAL ? ILLEGAL : new Map(s).set(i.key, next);
    },
  };
  let pendingDropped = 0;
  let pendingCompleted = 0;
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 8 }), (raw) => {
      // lww histories have no failed cas (a refused cas is a definite non-event, dropped)
      const ops: LinOp[] = raw.map((r, i) => {
        const pending = r.pending && r.input.f !== 'read';
        const output = r.input.f === 'read' ? r.readValue : true;
        return { process: i, input: r.input, output: pending ? undefined : output, call: r.call, ret: pending ? Infinity : r.call + r.length };
      });
      const result = checkLinearizability(ops, lwwModel);
      pendingDropped += result.pendingOpsDropped ?? 0;
      pendingCompleted += result.pendingOpsCompleted ?? 0;
      assert.equal(result.valid, bruteForce(ops, keyed));
    }),
    { numRuns: 1500 },
  );
  assert.ok(pendingDropped > 100, 'the generator exercises the dropping of unobserved pending ops');
  assert.ok(pendingCompleted > 100, `the generator exercises completing sole producers (${pendingCompleted})`);
});
