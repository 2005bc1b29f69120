import type { LinOp, ReadResult } from '../model.ts';
import type { KvInput } from '../models/kv.ts';

/**
 * Reads porcupine's EDN-like kv logs (`{:process 0, :type :invoke, :f :append, :key "0", :value "x"}`)
 * into kv ops. Line numbers are the clock. `:info` completions leave the call pending (a get is
 * then dropped: it constrains nothing); `:fail` completions are dropped (did not happen).
 */
const STR = '"(?:[^"\\\\]|\\\\.)*"';
const LINE = new RegExp(`^\\s*\\{:process (\\d+), :type :(invoke|ok|fail|info), :f :(get|put|append), :key (${STR}), :value (nil|${STR})\\}\\s*$`);

interface Open { input: KvInput; call: number }

export function readKvLog(text: string): ReadResult {
  const ops: LinOp[] = [];
  const problems: string[] = [];
  const open = new Map<number, Open>();
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const m = LINE.exec(raw);
    if (!m) { problems.push(`line ${line}: not a kv op`); return; }
    const process = Number(m[1]);
    const type = m[2]!, f = m[3] as KvInput['f'];
    const key = JSON.parse(m[4]!) as string;
    const value = m[5] === 'nil' ? null : (JSON.parse(m[5]!) as string);
    if (type === 'invoke') {
      if (open.has(process)) problems.push(`line ${line}: process ${process} invoked twice`);
      const input: KvInput = f === 'get' ? { f, key } : { f, key, value: value ?? '' };
      open.set(process, { input, call: line });
      return;
    }
    const inv = open.get(process);
    if (!inv) { problems.push(`line ${line}: ${type} without an invoke for process ${process}`); return; }
    open.delete(process);
    if (type === 'fail') return;
    if (type === 'info') {
      if (inv.input.f !== 'get') ops.push({ process, input: inv.input, output: undefined, call: inv.call, ret: Infinity });
      return;
    }
    ops.push({ process, input: inv.input, output: inv.input.f === 'get' ? (value ?? '') : true, call: inv.call, ret: line });
  });
  for (const [process, inv] of open) {
    if (inv.input.f !== 'get') ops.push({ process, input: inv.input, output: undefined, call: inv.call, ret: Infinity });
  }
  return { ops, problems };
}
