import type { LinOp, ReadResult } from '../model.ts';
import type { RegisterInput, RegisterValue } from '../models/register.ts';

/**
 * Reads a Jepsen etcd log as published with porcupine (`INFO  jepsen.util - <proc> :<type> :<f> <value>`,
 * tab- or space-separated) into cas-register ops. Line numbers are the clock.
 * - `:fail :cas` is an observation (the register did not hold the expected value): output false.
 * - `:fail :read :timed-out` and any `:info` read constrain nothing and are dropped.
 * - `:info` writes and cas stay pending to the end (may take effect at any point, or never).
 * - other lines (log output, `:nemesis` lines) are skipped.
 */
const LINE = /^\s*INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s*(.*?)\s*$/;

function parseValue(text: string): RegisterValue | [RegisterValue, RegisterValue] | undefined {
  if (text === 'nil') return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  const pair = /^\[\s*(nil|-?\d+)\s+(nil|-?\d+)\s*\]$/.exec(text);
  if (pair) return [pair[1] === 'nil' ? null : Number(pair[1]), pair[2] === 'nil' ? null : Number(pair[2])];
  return undefined; // e.g. :timed-out
}

interface Open { f: string; input: RegisterInput; call: number }

export function readJepsenEtcdLog(text: string): ReadResult {
  const ops: LinOp[] = [];
  const problems: string[] = [];
  const open = new Map<number, Open>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const m = LINE.exec(raw);
    if (!m) {
      // other log output and the nemesis's lines are not client ops; a garbled client line is a problem
      if (/jepsen\.util\s+-\s+\d+\s/.test(raw)) problems.push(`line ${line}: cannot read this client op`);
      return;
    }
    const process = Number(m[1]);
    const type = m[2]!, f = m[3]!;
    const value = parseValue(m[4]!);
    if (type === 'invoke') {
      if (open.has(process)) problems.push(`line ${line}: process ${process} invoked twice`);
      let input: RegisterInput;
      if (f === 'read') input = { f: 'read' };
      else if (f === 'write' && !Array.isArray(value) && value !== undefined) input = { f: 'write', value };
      else if (f === 'cas' && Array.isArray(value)) input = { f: 'cas', from: value[0], to: value[1] };
      else { problems.push(`line ${line}: cannot read ${f} value ${JSON.stringify(m[4])}`); return; }
      open.set(process, { f, input, call: line });
      return;
    }
    const inv = open.get(process);
    if (!inv) { problems.push(`line ${line}: ${type} without an invoke for process ${process}`); return; }
    open.delete(process);
    if (type === 'info') {
      if (inv.f !== 'read') ops.push({ process, input: inv.input, output: undefined, call: inv.call, ret: Infinity });
      return;
    }
    if (type === 'fail') {
      // a failed cas saw another value; a failed read or write did not happen
      if (inv.f === 'cas') ops.push({ process, input: inv.input, output: false, call: inv.call, ret: line });
      return;
    }
    let output: unknown = true;
    if (inv.f === 'read') {
      if (value === undefined || Array.isArray(value)) { problems.push(`line ${line}: cannot read read value ${JSON.stringify(m[4])}`); return; }
      output = value;
    }
    ops.push({ process, input: inv.input, output, call: inv.call, ret: line });
  });
  // calls never completed are pending, except reads, which constrain nothing
  for (const [process, inv] of open) {
    if (inv.f !== 'read') ops.push({ process, input: inv.input, output: undefined, call: inv.call, ret: Infinity });
  }
  return { ops, problems };
}
