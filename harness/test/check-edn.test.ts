/**
 * `check` on a Jepsen EDN history gives the same verdicts as on the JSON history it was exported
 * from (bank, lww and list-append, whose EDN keeps every op), and a file that is no history gets
 * one clear error.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { checkCommand } from '../commands/check.ts';
import { historyToEdn } from '../history/edn.ts';
import { UsageError } from '../cli/usage-error.ts';
import { simulateBank, bankSteps } from '../../checkers/test/bank-sim.ts';
import { HistoryBuilder } from '../../checkers/test/history-builder.ts';
import { serializableHistory, injectAnomaly } from '../../checkers/txn/test/executor.ts';
import type { Op } from '../../api/history.ts';

function sink(): Writable & { text: string } {
  const w = new Writable({ write(chunk, _e, cb) { (w as any).text += String(chunk); cb(); } }) as Writable & { text: string };
  w.text = '';
  return w;
}

/** verdicts of `check` on the JSONL file and on its EDN export, with the same workload and params */
async function bothWays(ops: readonly Op[], workload: string, params: Record<string, unknown> = {}, system = 'maep'): Promise<[string, string]> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-check-edn-'));
  try {
    const jsonl = join(dir, 'history.jsonl'), edn = join(dir, 'history.edn');
    writeFileSync(jsonl, ops.map((o) => JSON.stringify(o)).join('\n') + '\n');
    writeFileSync(edn, historyToEdn(ops));
    const test = { workload, nodes: ['n1', 'n2'], config: { params } };
    writeFileSync(join(dir, 'test.json'), JSON.stringify(test));
    const verdicts = async (file: string) => {
      const out = sink();
      const code = await checkCommand([file], { workload, system }, out);
      // the table rows: checker, valid, expected, as expected (the summary may word times differently)
      return `${code}\n` + out.text.split('\n').filter((l) => /^\S+\s+(valid|invalid|unknown)\s/.test(l)).map((l) => l.split(/\s+/).slice(0, 4).join(' ')).join('\n');
    };
    return [await verdicts(jsonl), await verdicts(edn)];
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('bank: the same verdicts from history.jsonl and its EDN export', async () => {
  await fc.assert(fc.asyncProperty(bankSteps, async (steps) => {
    const [a, b] = await bothWays(simulateBank(steps).ops, 'bank', { accounts: 4, 'initial-balance': 10 });
    assert.equal(b, a);
  }), { numRuns: 15 });
});

test('lww: the same verdicts, linearizable or not', async () => {
  const h = new HistoryBuilder().op(0, 'write', 'ok', [0, 1]).op(1, 'read', 'ok', [0, null], [0, 1]).op(0, 'write', 'ok', [0, 2])
    .op(1, 'read', 'ok', [0, null], [0, 1]) // stale: not linearizable
    .finalRead('n1', { registers: { 0: 2, 1: null, 2: null } }).finalRead('n2', { registers: { 0: 2, 1: null, 2: null } });
  const [a, b] = await bothWays(h.ops, 'lww');
  assert.match(a, /linearizability invalid/);
  assert.equal(b, a);
});

// list-append's expectations come from a system that serves it (etcd: strict serializable)
test('list-append: the same verdicts on a serializable history and on one with a planted G-single', async () => {
  const base = serializableHistory({ seed: 7, txns: 200 });
  const [a, b] = await bothWays(base.ops, 'list-append', {}, 'etcd');
  assert.match(a, /list-append valid/);
  assert.equal(b, a);
  const [c, d] = await bothWays(injectAnomaly(base, 'G-single'), 'list-append', {}, 'etcd');
  assert.match(c, /list-append invalid/);
  assert.equal(d, c);
});

test('a file that is not a history: one clear error naming what was expected', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-check-edn-'));
  try {
    const bad = join(dir, 'history.edn');
    writeFileSync(bad, '{:index 0 :type :invoke :f :read}\n(this is not edn\n');
    await assert.rejects(checkCommand([bad], { workload: 'lww' }, sink()), (e: unknown) => e instanceof UsageError && /history\.edn: line 1: expected :process/.test((e as Error).message));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
