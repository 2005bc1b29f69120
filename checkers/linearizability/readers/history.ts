import type { Op } from '../../../api/history.ts';
import type { LinOp, ReadResult } from '../model.ts';
import type { RegisterInput, RegisterValue } from '../models/register.ts';

/**
 * Turns our history (the lww workload's ops, workloads/lww.ts) into per-key register ops.
 * - read [key, null] → ok [key, v]; write [key, v]; cas [key, [expected, new]] (ok = took effect).
 * - `fail` completions are definite non-events: dropped.
 * - `info` completions (and invokes never completed) stay pending: they may take effect at any
 *   point after the invoke, or never; a pending read constrains nothing and is dropped.
 * - process "nemesis" and every f other than read/write/cas (final-read, ...) are ignored.
 * File position orders events (the recorder appends as things happen); `time` is kept for display.
 */
const FS = new Set(['read', 'write', 'cas']);

/** values other than plain ones become canonical strings so the model can compare them by identity */
function plain(v: unknown): RegisterValue {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v === undefined) return null;
  return 'json:' + JSON.stringify(v);
}

function keyOf(v: unknown): string | number | undefined {
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}

interface Open { input: RegisterInput; call: number; time: number; index: number }

export function lwwOpsFromHistory(history: readonly Op[]): ReadResult {
  const ops: LinOp[] = [];
  const problems: string[] = [];
  const open = new Map<number | string, Open>();
  history.forEach((op, pos) => {
    if (op === null || typeof op !== 'object' || op.process === 'nemesis' || !FS.has(op.f)) return;
    const where = `op ${op.index ?? pos}`;
    const value = op.value;
    if (op.type === 'invoke') {
      if (!Array.isArray(value) || value.length !== 2 || keyOf(value[0]) === undefined) {
        problems.push(`${where}: ${op.f} value ${JSON.stringify(value)} is not [key, v]`);
        return;
      }
      const key = keyOf(value[0])!;
      let input: RegisterInput;
      if (op.f === 'read') input = { f: 'read', key };
      else if (op.f === 'write') input = { f: 'write', key, value: plain(value[1]) };
      else if (Array.isArray(value[1]) && value[1].length === 2) input = { f: 'cas', key, from: plain(value[1][0]), to: plain(value[1][1]) };
      else { problems.push(`${where}: cas value ${JSON.stringify(value)} is not [key, [expected, new]]`); return; }
      if (open.has(op.process)) problems.push(`${where}: process ${op.process} invoked while its last op was open`);
      open.set(op.process, { input, call: pos, time: op.time, index: op.index ?? pos });
      return;
    }
    const inv = open.get(op.process);
    if (!inv) { problems.push(`${where}: ${op.type} ${op.f} without an invoke`); return; }
    open.delete(op.process);
    const base = { process: op.process, input: inv.input, call: inv.call, invokeTime: inv.time, historyIndex: inv.index };
    if (op.type === 'fail') return;
    if (op.type === 'info') {
      if (inv.input.f !== 'read') ops.push({ ...base, output: undefined, ret: Infinity });
      return;
    }
    if (op.type !== 'ok') { problems.push(`${where}: unknown type ${JSON.stringify(op.type)}`); return; }
    let output: unknown = true;
    if (inv.input.f === 'read') {
      if (!Array.isArray(value) || value.length !== 2) {
        problems.push(`${where}: read result ${JSON.stringify(value)} is not [key, v]`);
        return;
      }
      output = plain(value[1]);
    }
    ops.push({ ...base, output, ret: pos, completeTime: op.time });
  });
  for (const [process, inv] of open) {
    if (inv.input.f !== 'read') {
      ops.push({ process, input: inv.input, output: undefined, call: inv.call, ret: Infinity, invokeTime: inv.time, historyIndex: inv.index });
    }
  }
  return { ops, problems };
}

/** reads history.jsonl text (one Op per line) and converts it as above */
export function readHistoryJsonl(text: string): ReadResult {
  const history: Op[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  let last = lines.length - 1;
  while (last >= 0 && lines[last]!.trim() === '') last--;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      history.push(JSON.parse(line) as Op);
    } catch {
      // a crash can tear the last line; losing it only leaves an op pending or unseen, which is safe
      if (i !== last) problems.push(`line ${i + 1}: not JSON`);
    }
  });
  const res = lwwOpsFromHistory(history);
  return { ops: res.ops, problems: [...problems, ...res.problems] };
}
