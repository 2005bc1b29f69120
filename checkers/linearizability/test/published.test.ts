import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkFile } from '../index.ts';

// the published porcupine histories, read in place (never copied into the repo)
const dataDir = fileURLToPath(new URL('../../../../shared/data/porcupine/', import.meta.url));

const MODEL_FOR: Record<string, string> = {
  'etcd-cas-register': 'cas-register',
  'kv-partitioned-by-key': 'kv',
  'kv-no-partition (single map state)': 'kv-single',
};

const rows = readFileSync(dataDir + 'expected.tsv', 'utf8').trim().split('\n').slice(1)
  .map((line) => line.split('\t') as [string, string, string])
  .filter(([, , expected]) => !expected.startsWith('no-test'));

test('the expected list covers all 102 non-empty etcd histories and all kv files', () => {
  const etcd = rows.filter(([f]) => f.startsWith('jepsen/'));
  assert.equal(etcd.length, 102);
  assert.equal(rows.filter(([f, m]) => f.startsWith('kv/') && MODEL_FOR[m] === 'kv').length, 6);
  assert.equal(rows.filter(([f, m]) => f.startsWith('kv/') && MODEL_FOR[m] === 'kv-single').length, 4);
});

for (const [file, modelLabel, expected] of rows) {
  const model = MODEL_FOR[modelLabel];
  test(`${file} with ${model} is ${expected}`, async () => {
    assert.ok(model, `no model for ${modelLabel}`);
    const result = await checkFile(dataDir + file, model, { timeoutMs: 60_000 });
    assert.equal(result.valid, expected === 'linearizable', `${file}: ${result.summary}`);
    if (result.valid === false) {
      const [evidence] = result.partitions!;
      assert.ok(evidence!.couldNotPlace.length > 0, 'an invalid verdict names the ops that could not be placed');
      JSON.stringify(result); // must serialise
    }
  });
}

test('the etcd reader drops timed-out reads and keeps info writes pending', async () => {
  const { readJepsenEtcdLog } = await import('../index.ts');
  const text = readFileSync(dataDir + 'jepsen/etcd_000.log', 'utf8');
  const { ops, problems } = readJepsenEtcdLog(text);
  assert.deepEqual(problems, []);
  const lines = text.split('\n').filter((l) => l.trim());
  const invokes = lines.filter((l) => /:invoke/.test(l)).length;
  const droppedReads = lines.filter((l) => /:(fail|info)\s+:read/.test(l)).length;
  assert.equal(ops.length, invokes - droppedReads);
  const pending = ops.filter((o) => o.ret === Infinity).length;
  assert.equal(pending, lines.filter((l) => /:info\s+:(write|cas)/.test(l)).length);
});
