import type { OpPair } from './op-pairs.ts';
import { lastFinalRounds } from './final-reads.ts';
import { canonicalJson } from './canonical.ts';
import { roundS } from './violation-list.ts';
import type { Guarantee, SessionFindings } from './session-types.ts';

/**
 * Session guarantees for registers (lww workload: read [k, v|null], write [k, v],
 * cas [k, [expected, new]]). LWW's version order is not observable, so only what follows from
 * any order is checked (sound, not complete). Values written more than once to a key are ambiguous
 * and skipped; a register is never deleted, so null means "nothing written yet".
 *
 * Per process and key, the session sequence is what it observed or set, in its order: ok reads
 * (their value), ok writes (the value), ok cas (expected, then new). Whatever the version order,
 * - null after a value: the state went back to before every write (read-your-writes when the
 *   value was the session's own write, monotonic reads otherwise);
 * - A, then B ≠ A, then A again (A returned by a read): one of the two changes went backwards
 *   (read-your-writes when B was the session's own write, else monotonic reads).
 * Against the final state (the register's winner on each node after heal, i.e. the largest in
 * the version order):
 * - monotonic writes: the session set u then v on k, yet a node's final winner is u;
 * - writes-follow-reads: the session read w (or cas'ed from w) then set v on k, yet a node's final
 *   winner is w.
 */
export function checkRegisterSessions(pairs: readonly OpPair[], found: SessionFindings): void {
  type Step = { value: unknown; id: string; set: boolean; pair: OpPair };
  const writeCount = new Map<string, number>(); // `${key}\u0000${canonical value}` → times written
  const sessions = new Map<string, { process: number; key: string; steps: Step[] }>();
  const push = (p: OpPair, key: string, value: unknown, set: boolean) => {
    const id = `${p.process}\u0000${key}`;
    const s = sessions.get(id) ?? { process: p.process as number, key, steps: [] };
    s.steps.push({ value, id: canonicalJson(value), set, pair: p });
    sessions.set(id, s);
  };
  for (const p of pairs) {
    if (typeof p.process !== 'number' || !Array.isArray(p.invoke.value)) continue;
    const [k, arg] = p.invoke.value as [unknown, unknown];
    if (typeof k !== 'string' && typeof k !== 'number') continue;
    const key = String(k);
    if (p.f === 'write' || (p.f === 'cas' && Array.isArray(arg) && arg.length === 2)) {
      const written = p.f === 'write' ? arg : (arg as unknown[])[1];
      const wk = `${key}\u0000${canonicalJson(written)}`;
      if (p.type !== 'fail') writeCount.set(wk, (writeCount.get(wk) ?? 0) + 1);
      if (p.type !== 'ok') continue;
      if (p.f === 'cas') push(p, key, (arg as unknown[])[0], false);
      push(p, key, written, true);
    } else if (p.f === 'read' && p.type === 'ok' && Array.isArray(p.value) && p.value.length >= 2 && !Array.isArray(p.value[1])) {
      push(p, key, (p.value as unknown[])[1] ?? null, false);
    }
  }
  const unique = (key: string, id: string) => (writeCount.get(`${key}\u0000${id}`) ?? 0) <= 1;

  const finalWinners = new Map<string, { node: string; id: string }[]>();
  for (const [node, round] of lastFinalRounds(pairs)) {
    const regs = (round.state as { registers?: unknown } | null)?.registers;
    if (regs === null || typeof regs !== 'object') continue;
    for (const [k, v] of Object.entries(regs as Record<string, unknown>)) {
      const list = finalWinners.get(k) ?? [];
      list.push({ node, id: canonicalJson(v ?? null) });
      finalWinners.set(k, list);
    }
  }

  for (const { process, key, steps } of sessions.values()) {
    // own view: null after a value, and A..B..A
    const lastAt = new Map<string, number>();
    let current: string | undefined;
    let sawValue: Step | undefined;
    let previous: Step | undefined;
    let hadSet = false;
    steps.forEach((s, i) => {
      const isRead = !s.set;
      if (isRead && previous) found.applied.add('monotonic-reads');
      if (isRead && hadSet) found.applied.add('read-your-writes');
      if (s.set) hadSet = true;
      if (isRead && s.id === 'null' && sawValue) {
        report(found, sawValue.set ? 'read-your-writes' : 'monotonic-reads', process, key, s.pair, null, sawValue.value, sawValue.pair,
          `process ${process} read ${key}=null after ${sawValue.set ? 'writing' : 'reading'} ${sawValue.id}`);
      } else if (isRead && s.id !== current && lastAt.has(s.id) && s.id !== 'null' && unique(key, s.id) && previous && previous.id !== 'null' && unique(key, previous.id)) {
        report(found, previous.set ? 'read-your-writes' : 'monotonic-reads', process, key, s.pair, s.value, previous.value, previous.pair,
          `process ${process} read ${key}=${s.id} again after ${previous.set ? 'writing' : 'reading'} ${previous.id}`);
      }
      if (s.id !== 'null') { sawValue = s; }
      if (s.id !== current) { previous = s; current = s.id; }
      lastAt.set(s.id, i);
    });

    // others' view: final winners (first position of each value as set and as read)
    const winners = finalWinners.get(key);
    if (!winners) continue;
    const firstSet = new Map<string, number>(), firstRead = new Map<string, number>();
    steps.forEach((s, i) => {
      const m = s.set ? firstSet : firstRead;
      if (!m.has(s.id)) m.set(s.id, i);
    });
    const firstAnySet = steps.findIndex((s) => s.set);
    const firstValueRead = steps.findIndex((s) => !s.set && s.id !== 'null');
    steps.forEach((v, i) => {
      if (!v.set || !unique(key, v.id)) return;
      if (firstAnySet >= 0 && firstAnySet < i) found.applied.add('monotonic-writes');
      if (firstValueRead >= 0 && firstValueRead < i) found.applied.add('writes-follow-reads');
      for (const w of winners) {
        if (w.id === v.id || w.id === 'null' || !unique(key, w.id)) continue;
        const own = (firstSet.get(w.id) ?? Infinity) < i;
        const read = (firstRead.get(w.id) ?? Infinity) < i;
        if (!own && !read) continue;
        const cause = steps[own ? firstSet.get(w.id)! : firstRead.get(w.id)!]!;
        found.add({ guarantee: own ? 'monotonic-writes' : 'writes-follow-reads', process, key, where: 'final', index: -1, reader: null, node: w.node, timeS: -1,
          value: cause.value, expected: v.value, becauseOf: { index: cause.pair.invoke.index, f: cause.pair.f },
          explanation: `final winner of ${key} on ${w.node} is ${w.id}, which process ${process} ${own ? 'wrote' : 'read'} before writing ${v.id}` });
      }
    });
  }
}

function report(found: SessionFindings, guarantee: Guarantee, process: number, key: string, p: OpPair, value: unknown, expected: unknown, because: OpPair, explanation: string) {
  found.add({ guarantee, process, key, where: 'read', index: p.completion?.index ?? p.invoke.index, reader: process, node: p.node ?? null,
    timeS: roundS(p.endS), value, expected, becauseOf: { index: because.invoke.index, f: because.f }, explanation });
}
