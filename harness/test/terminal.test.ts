import { test } from 'vitest';
import assert from 'node:assert/strict';
import { StatusLine } from '../terminal/status-line.ts';
import { verdictTable } from '../terminal/verdict-table.ts';
import type { CheckerOutcome } from '../../api/checker.ts';

function fakeStream(isTTY: boolean, columns = 0) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns, write: (s: string) => { writes.push(s); return true; } } as unknown as NodeJS.WriteStream };
}

test('on a terminal the status line is rewritten in place and cleared before other lines', () => {
  const { writes, stream } = fakeStream(true, 20);
  const line = new StatusLine(stream, () => 'main 1.0/30 s | 12 ops: 12 ok');
  line.tick();
  assert.equal(writes.pop(), '\r\x1b[2Kmain 1.0/30 s | 12 ', 'cut to the terminal width');
  line.print('nemesis: start kill n2');
  assert.deepEqual(writes.splice(0), ['\r\x1b[2K', 'nemesis: start kill n2\n']);
  line.print('again');
  assert.deepEqual(writes.splice(0), ['again\n'], 'nothing to clear when no status is shown');
  line.tick();
  line.stop();
  assert.equal(writes.at(-1), '\r\x1b[2K', 'stop leaves a clean line');
});

test('elsewhere (CI logs) each status is a plain line', () => {
  const { writes, stream } = fakeStream(false);
  const line = new StatusLine(stream, () => 'setup 2.0 s');
  line.tick();
  line.print('x');
  line.stop();
  assert.deepEqual(writes, ['setup 2.0 s\n', 'x\n']);
});

test('verdict table: a row per checker with valid, expected and whether it matched', () => {
  const o = (name: string, valid: true | false | 'unknown', expected: 'valid' | 'may-fail', matched: boolean): CheckerOutcome =>
    ({ name, valid, expected, why: `because ${name}`, matched, result: { valid, summary: `${name} summary` }, elapsedMs: 1 });
  const plain = verdictTable([o('stats', true, 'valid', true), o('bank-no-overdraft', false, 'may-fail', true), o('convergence', false, 'valid', false), o('causal', 'unknown', 'valid', false)])
    .replace(/\x1b\[[0-9;]*m/g, '');
  const rows = plain.split('\n');
  assert.match(rows[0]!, /^checker\s+valid\s+expected\s+as expected\s+summary$/);
  assert.match(plain, /^stats\s+valid\s+valid\s+yes\s+stats summary$/m);
  assert.match(plain, /^bank-no-overdraft\s+invalid\s+may-fail\s+yes\s+/m);
  assert.match(plain, /^convergence\s+invalid\s+valid\s+NO\s+/m);
  assert.match(plain, /^causal\s+unknown\s+valid\s+unknown\s+/m);
  assert.match(plain, /why expected may-fail: because bank-no-overdraft/);
});
