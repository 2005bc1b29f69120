import { test } from 'vitest';
import assert from 'node:assert/strict';
import { checkLinearizability, lwwModel, type LinOp } from '../index.ts';
import { op, read, write } from './helpers.ts';

/** n concurrent writes, then a read of a value none wrote: proving it illegal tries every order of the writes */
function exploding(key: string, n: number): LinOp[] {
  const ops = [];
  for (let i = 0; i < n; i++) ops.push(op(i, 0, 100, write(i, key)));
  ops.push(op(n, 200, 300, read(key), -1));
  return ops;
}

/** a longer, sequential key: writes and reads that see them, optionally ending with a stale read */
function sequential(key: string, n: number, stale: boolean): LinOp[] {
  const ops: LinOp[] = [];
  for (let i = 0; i < n; i++) {
    ops.push(op(100 + (i % 3), 1000 + 20 * i, 1005 + 20 * i, write(i, key)));
    ops.push(op(100 + (i % 3), 1010 + 20 * i, 1015 + 20 * i, read(key), i));
  }
  if (stale) ops.push(op(200, 1000 + 20 * n, 1005 + 20 * n, read(key), 0));
  return ops;
}

test('keys: a violation on a long key is found although another key blows the memo budget', () => {
  const ops = [...exploding('hot', 26), ...sequential('long', 200, true), ...sequential('fine', 50, false)];
  const r = checkLinearizability(ops, lwwModel, { maxCacheEntries: 50_000 });
  assert.equal(r.valid, false, r.summary);
  assert.equal(r.partitions![0]!.key, 'long');
  assert.ok(r.keys!.decided.includes('long'));
  assert.deepEqual(r.partitions![0]!.couldNotPlace.map((c) => c.describe), ['[long] read → 0']);
});

test('keys: when a key cannot be decided the others still are, and the result says which', () => {
  const ops = [...exploding('hot', 26), ...sequential('a', 100, false), ...sequential('b', 10, false)];
  const r = checkLinearizability(ops, lwwModel, { maxCacheEntries: 50_000 });
  assert.equal(r.valid, 'unknown');
  assert.deepEqual(r.keys, { decided: ['b', 'a'], undecided: ['hot'] });
  assert.match(r.reason!, /memo table cap reached .* key "hot"/);
});

test('keys: with several keys, one key may use only its share of the time budget', () => {
  const ops = [...exploding('hot', 40), ...sequential('a', 20, false)];
  const r = checkLinearizability(ops, lwwModel, { timeoutMs: 2000 });
  assert.equal(r.valid, 'unknown');
  assert.deepEqual(r.keys, { decided: ['a'], undecided: ['hot'] });
  assert.match(r.reason!, /share of the time budget \(1 s\) ran out checking key "hot"/);
});

test('keys: keys are searched smallest first, so the smaller of two violations is the one reported', () => {
  const ops = [...sequential('big', 300, true), ...sequential('small', 5, true)];
  const r = checkLinearizability(ops, lwwModel);
  assert.equal(r.valid, false);
  assert.equal(r.partitions![0]!.key, 'small');
});
