import { test } from 'vitest';
import assert from 'node:assert/strict';
import { checkLinearizability, casRegisterModel, kvModel, lwwModel, registerModel } from '../index.ts';
import { cas, op, pendingOp, read, write } from './helpers.ts';

test('an empty history is linearizable', () => {
  const r = checkLinearizability([], casRegisterModel);
  assert.equal(r.valid, true);
  assert.equal(r.opCount, 0);
});

test('a read of the initial value before any write is fine; a read of a value never written is not', () => {
  assert.equal(checkLinearizability([op(0, 0, 1, read(), null)], registerModel).valid, true);
  assert.equal(checkLinearizability([op(0, 0, 1, read(), 7)], registerModel).valid, false);
});

test('a stale read: the write finished before the read began, yet the read saw the old value', () => {
  const history = [
    op(0, 0, 10, write(1)),
    op(1, 20, 30, read(), null),
  ];
  const r = checkLinearizability(history, registerModel);
  assert.equal(r.valid, false);
  const [ev] = r.partitions!;
  assert.equal(ev!.stateBefore, '1');
  assert.deepEqual(ev!.longestLinearization.map((s) => s.id), [0]);
  assert.deepEqual(ev!.couldNotPlace.map((c) => c.id), [1]);
  assert.match(ev!.couldNotPlace[0]!.why, /impossible when the state is 1/);
  assert.match(ev!.explanation, /read → nil/);
});

test('the same read overlapping the write may see either value', () => {
  for (const seen of [null, 1]) {
    const history = [op(0, 0, 10, write(1)), op(1, 5, 30, read(), seen)];
    assert.equal(checkLinearizability(history, registerModel).valid, true, `read ${seen}`);
  }
});

test('a lost cas: a cas reported ok, but a later read shows its expected value was never replaced', () => {
  const history = [
    op(0, 0, 10, write(1)),
    op(1, 20, 30, cas(1, 2), true),
    op(2, 40, 50, read(), 1),
  ];
  assert.equal(checkLinearizability(history, casRegisterModel).valid, false);
  // the read overlapping the cas could have come first
  const overlapping = [op(0, 0, 10, write(1)), op(1, 20, 30, cas(1, 2), true), op(2, 25, 50, read(), 1)];
  assert.equal(checkLinearizability(overlapping, casRegisterModel).valid, true);
});

test('a failed cas is an observation: it could not fail if the register surely held the expected value', () => {
  const history = [op(0, 0, 10, write(1)), op(1, 20, 30, cas(1, 2), false)];
  assert.equal(checkLinearizability(history, casRegisterModel).valid, false);
  const concurrentWrite = [op(0, 0, 10, write(1)), op(2, 15, 35, write(3)), op(1, 20, 30, cas(1, 2), false)];
  assert.equal(checkLinearizability(concurrentWrite, casRegisterModel).valid, true);
});

test('concurrent writes may land in either order, but then every later reader agrees', () => {
  const writes = [op(0, 0, 10, write(1)), op(1, 0, 10, write(2))];
  for (const v of [1, 2]) {
    assert.equal(checkLinearizability([...writes, op(2, 20, 30, read(), v), op(3, 40, 50, read(), v)], registerModel).valid, true);
  }
  // two sequential readers that disagree: the register flipped back with no write
  const flip = [...writes, op(2, 20, 30, read(), 1), op(3, 40, 50, read(), 2)];
  assert.equal(checkLinearizability(flip, registerModel).valid, false);
});

test('a pending write may take effect long after its invocation', () => {
  const history = [
    pendingOp(0, 0, write(5)),
    op(1, 10, 20, read(), null),
    op(2, 30, 40, read(), 5),
  ];
  assert.equal(checkLinearizability(history, registerModel).valid, true);
});

test('a pending write may never take effect', () => {
  const history = [pendingOp(0, 0, write(5)), op(1, 10, 20, read(), null), op(2, 30, 40, read(), null)];
  assert.equal(checkLinearizability(history, registerModel).valid, true);
});

test('a pending write cannot take effect before its invocation', () => {
  const history = [op(1, 0, 10, read(), 5), pendingOp(0, 20, write(5))];
  assert.equal(checkLinearizability(history, registerModel).valid, false);
});

test('a pending write takes effect at most once', () => {
  const history = [
    pendingOp(0, 0, write(5)),
    op(1, 10, 20, read(), 5),
    op(2, 30, 40, write(6)),
    op(3, 50, 60, read(), 5),
  ];
  assert.equal(checkLinearizability(history, registerModel).valid, false);
});

test('a pending cas can take effect only when its expected value is there', () => {
  const ok = [op(0, 0, 10, write(1)), pendingOp(1, 20, cas(1, 2)), op(2, 30, 40, read(), 2)];
  assert.equal(checkLinearizability(ok, casRegisterModel).valid, true);
  const bad = [op(0, 0, 10, write(3)), pendingOp(1, 20, cas(1, 2)), op(2, 30, 40, read(), 2)];
  assert.equal(checkLinearizability(bad, casRegisterModel).valid, false);
});

test('keys are independent partitions; the violation names its key', () => {
  const history = [
    op(0, 0, 10, write(1, 'a')),
    op(1, 0, 10, write(1, 'b')),
    op(2, 20, 30, read('a'), 1),
    op(3, 20, 30, read('b'), null),
  ];
  const r = checkLinearizability(history, lwwModel);
  assert.equal(r.valid, false);
  assert.equal(r.partitionCount, 2);
  assert.equal(r.partitions![0]!.key, 'b');
  assert.equal(r.partitions![0]!.opCount, 2);
});

test('kv: appends concatenate, gets must see a prefix order consistent with real time', () => {
  const put = (k: string, v: string) => ({ f: 'put', key: k, value: v });
  const append = (k: string, v: string) => ({ f: 'append', key: k, value: v });
  const get = (k: string) => ({ f: 'get', key: k });
  const good = [op(0, 0, 10, put('x', 'a')), op(1, 20, 30, append('x', 'b')), op(2, 25, 40, get('x'), 'a')];
  assert.equal(checkLinearizability(good, kvModel).valid, true);
  const bad = [op(0, 0, 10, put('x', 'a')), op(1, 20, 30, append('x', 'b')), op(2, 35, 40, get('x'), 'a')];
  assert.equal(checkLinearizability(bad, kvModel).valid, false);
});

test('ops the model cannot interpret make the verdict unknown, with the reason', () => {
  const r = checkLinearizability([op(0, 0, 1, cas(1, 2), true)], registerModel);
  assert.equal(r.valid, 'unknown');
  assert.match(r.reason!, /no cas/);
});

/** many concurrent writes of distinct values and reads that cannot be satisfied: an exponential search */
function hardHistory(n: number) {
  const history = [];
  for (let i = 0; i < n; i++) history.push(op(i, 0, 100, write(i)));
  history.push(op(n, 200, 300, read(), -1));
  return history;
}

test('a search past its time budget ends "unknown" with the reason, not a hang', () => {
  const r = checkLinearizability(hardHistory(26), registerModel, { timeoutMs: 50 });
  assert.equal(r.valid, 'unknown');
  assert.match(r.reason!, /time budget/);
});

test('a memo table past its cap ends "unknown" with the reason, not an out-of-memory crash', () => {
  const r = checkLinearizability(hardHistory(26), registerModel, { maxCacheEntries: 50_000 });
  assert.equal(r.valid, 'unknown');
  assert.match(r.reason!, /memo table cap/);
});

test('a memory cap on one partition does not hide a violation in another', () => {
  const hard = hardHistory(26).map((o) => ({ ...o, input: { ...(o.input as object), key: 'hard' } }));
  const easy = [op(90, 0, 10, write(1, 'easy')), op(91, 20, 30, read('easy'), null)];
  const r = checkLinearizability([...hard, ...easy], lwwModel, { maxCacheEntries: 50_000 });
  assert.equal(r.valid, false);
  assert.equal(r.partitions![0]!.key, 'easy');
});

test('the async check gives the event loop turns during a long search, and decides like the sync one', async () => {
  const { checkLinearizabilityAsync } = await import('../index.ts');
  let timerRan = false;
  setTimeout(() => { timerRan = true; }, 0);
  // 13 concurrent writes: tens of thousands of configurations, so several rounds of search slices
  const r = await checkLinearizabilityAsync(hardHistory(13), registerModel, { yieldEveryMs: 0 });
  assert.equal(r.valid, false);
  assert.ok(r.cacheEntries > 50_000, `several rounds (${r.cacheEntries} configurations)`);
  assert.ok(timerRan, 'a timer fired while the search ran');
  const small = [op(0, 0, 10, write(1)), op(1, 20, 30, read(), null)];
  assert.deepEqual(await checkLinearizabilityAsync(small, registerModel), checkLinearizability(small, registerModel));
});

test('etcd log reader: tabs or spaces, nemesis and other log lines skipped, garbled client lines reported', async () => {
  const { readJepsenEtcdLog } = await import('../index.ts');
  const text = [
    'INFO  jepsen.core - Running test',
    'INFO  jepsen.util - 0\t:invoke\t:write\t3',
    'INFO  jepsen.util - :nemesis\t:info\t:start\tnil',
    'INFO  jepsen.util - 0\t:ok\t:write\t3',
    'INFO  jepsen.util - 1   :invoke :cas    [3 4]',
    'INFO  jepsen.util - 1   :fail   :cas    [3 4]',
    'INFO  jepsen.util - 2\t:invoke\t:read\tnil',
    'INFO  jepsen.util - 2\t:ok\t:read\t3',
  ].join('\n');
  const { ops, problems } = readJepsenEtcdLog(text);
  assert.deepEqual(problems, []);
  assert.deepEqual(ops.map((o) => [o.process, o.input, o.output, o.call, o.ret]), [
    [0, { f: 'write', value: 3 }, true, 2, 4],
    [1, { f: 'cas', from: 3, to: 4 }, false, 5, 6],
    [2, { f: 'read' }, 3, 7, 8],
  ]);
  // a cas that failed although the register surely held 3 cannot be linearized
  assert.equal(checkLinearizability(ops, casRegisterModel).valid, false);
  assert.equal(readJepsenEtcdLog('INFO  jepsen.util - 3\t:invoke\t:write\t[bad').problems.length, 1);
});

test('kv log reader: EDN strings with escapes, nil values', async () => {
  const { readKvLog } = await import('../index.ts');
  const text = [
    '{:process 0, :type :invoke, :f :put, :key "k", :value "a \\"q\\""}',
    '{:process 1, :type :invoke, :f :get, :key "k", :value nil}',
    '{:process 0, :type :ok, :f :put, :key "k", :value "a \\"q\\""}',
    '{:process 1, :type :ok, :f :get, :key "k", :value "a \\"q\\""}',
  ].join('\n');
  const { ops, problems } = readKvLog(text);
  assert.deepEqual(problems, []);
  assert.deepEqual(ops.map((o) => [o.input, o.output]), [
    [{ f: 'put', key: 'k', value: 'a "q"' }, true],
    [{ f: 'get', key: 'k' }, 'a "q"'],
  ]);
  assert.equal(checkLinearizability(ops, kvModel).valid, true);
});

test('formatLinResult shows the verdict, the end of the longest linearization and what could not be placed', async () => {
  const { formatLinResult } = await import('../index.ts');
  const r = checkLinearizability([op(0, 0, 10, write(1)), op(1, 20, 30, read(), null)], registerModel);
  const text = formatLinResult(r);
  assert.match(text, /^INVALID: not linearizable/);
  assert.match(text, /write 1 +→ 1/);
  assert.match(text, /process 1: read → nil — impossible when the state is 1/);
  assert.match(formatLinResult(checkLinearizability([], registerModel)), /^valid: /);
});
