import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFile, detectFormat, LinUsageError } from '../index.ts';

function withDir(fn: (dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'splitbrain-lin-'));
    try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

test('detectFormat tells the three formats apart by their first line', () => {
  assert.equal(detectFormat('\n{"index":0,"time":0}'), 'history-jsonl');
  assert.equal(detectFormat('{:process 0, :type :invoke}'), 'kv-log');
  assert.equal(detectFormat('INFO  jepsen.util - 0\t:invoke\t:read\tnil'), 'jepsen-etcd');
  assert.equal(detectFormat('hello'), undefined);
});

test('checkFile reads our history.jsonl with the lww model', withDir(async (dir) => {
  const lines = [
    { index: 0, time: 0, type: 'invoke', process: 0, f: 'write', value: [1, 5] },
    { index: 1, time: 10, type: 'ok', process: 0, f: 'write', value: [1, 5] },
    { index: 2, time: 20, type: 'invoke', process: 1, f: 'read', value: [1, null] },
    { index: 3, time: 30, type: 'ok', process: 1, f: 'read', value: [1, null] },
  ];
  const path = join(dir, 'history.jsonl');
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const r = await checkFile(path, 'lww');
  assert.equal(r.format, 'history-jsonl');
  assert.equal(r.valid, false);
  assert.equal(r.partitions![0]!.ops[1]!.invoke, 20);
}));

test('checkFile: an empty file is an empty history; usage mistakes throw LinUsageError', withDir(async (dir) => {
  const empty = join(dir, 'empty.log');
  writeFileSync(empty, '');
  assert.equal((await checkFile(empty, 'cas-register')).valid, true);
  await assert.rejects(checkFile(empty, 'no-such-model'), LinUsageError);
  await assert.rejects(checkFile(join(dir, 'missing.log'), 'kv'), LinUsageError);
  const junk = join(dir, 'junk.txt');
  writeFileSync(junk, 'hello\n');
  await assert.rejects(checkFile(junk, 'kv'), LinUsageError);
}));

test('checkFile: a model that does not fit the ops gives "unknown" with the reason', withDir(async (dir) => {
  const path = join(dir, 'kv.txt');
  writeFileSync(path, '{:process 0, :type :invoke, :f :get, :key "k", :value nil}\n{:process 0, :type :ok, :f :get, :key "k", :value ""}\n');
  const r = await checkFile(path, 'cas-register');
  assert.equal(r.valid, 'unknown');
  assert.match(r.reason!, /does not know f "get"/);
}));

test('checkFile: a single-register model refuses a keyed history instead of mixing keys', withDir(async (dir) => {
  const path = join(dir, 'history.jsonl');
  const lines = [
    { index: 0, time: 0, type: 'invoke', process: 0, f: 'write', value: [1, 5] },
    { index: 1, time: 10, type: 'ok', process: 0, f: 'write', value: [1, 5] },
  ];
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n'));
  const r = await checkFile(path, 'register');
  assert.equal(r.valid, 'unknown');
  assert.match(r.reason!, /single register/);
}));
