/**
 * Pure translation of the runtime's network faults into the commands run inside one node's
 * network namespace. Each node's whole fault state is rebuilt at once (idempotent), so a restarted
 * container (new netns) or a changed grudge is handled by the same code.
 *
 * - partitions: chain SB_PART, `-A SB_PART -s <peer ip> -j DROP` in the receiving node's INPUT;
 * - link loss:  chain SB_LINK, `-s <from ip> -m statistic --mode random --probability p -j DROP`
 *               in the receiving node's INPUT (uniform, independent per packet);
 * - link delay: on the sending node's eth0 egress, an htb class per destination (u32 filter on the
 *               destination ip) with a netem child when the kernel has sch_netem; without netem the
 *               class's rate is lowered so one full-size packet takes delayMs to serialise
 *               (rate shaping: an approximation of delay that grows under load, no jitter).
 * Chains are swapped in with one `iptables-restore --noflush` so there is no window with no rules.
 */
import type { Grudge, LinkFault } from '../../api/runtime.ts';

export interface Cmd { argv: string[]; stdin?: string }

/** create the chains and the INPUT jumps, once per container start */
export function chainSetup(): Cmd {
  return {
    argv: ['iptables-restore', '--noflush'],
    stdin: '*filter\n:SB_PART - [0:0]\n:SB_LINK - [0:0]\n-I INPUT 1 -j SB_PART\n-I INPUT 2 -j SB_LINK\nCOMMIT\n',
  };
}

/** the rules node `self` needs for this grudge and these link faults (keyed "from->to") */
export function iptablesFor(self: string, grudge: Grudge, links: Map<string, LinkFault>, ips: Record<string, string>): Cmd {
  const lines = ['*filter', '-F SB_PART', '-F SB_LINK'];
  for (const from of [...new Set(grudge[self] ?? [])].sort()) {
    const ip = ips[from];
    if (!ip) throw new Error(`grudge for ${self} names unknown node ${from}`);
    lines.push(`-A SB_PART -s ${ip}/32 -j DROP`);
  }
  for (const [key, f] of [...links].sort(([a], [b]) => a.localeCompare(b))) {
    const [from, to] = key.split('->');
    if (to !== self || !f.loss || f.loss <= 0) continue;
    const p = Math.min(1, f.loss);
    lines.push(`-A SB_LINK -s ${ips[from!]}/32 -m statistic --mode random --probability ${p.toFixed(6)} -j DROP`);
  }
  lines.push('COMMIT', '');
  return { argv: ['iptables-restore', '--noflush'], stdin: lines.join('\n') };
}

/** rate in bit/s such that a 1500-byte packet takes delayMs to leave (the no-netem fallback) */
export function shapingRate(delayMs: number): number {
  return Math.max(8000, Math.round((1500 * 8 * 1000) / Math.max(1, delayMs)));
}

/** tc commands for node `self`'s egress; the first (delete root) may fail harmlessly when absent */
export function tcFor(self: string, links: Map<string, LinkFault>, ips: Record<string, string>, netem: boolean): Cmd[] {
  const cmds: Cmd[] = [{ argv: ['tc', 'qdisc', 'del', 'dev', 'eth0', 'root'] }];
  const delayed = [...links]
    .filter(([k, f]) => k.startsWith(`${self}->`) && ((f.delayMs ?? 0) > 0 || (f.jitterMs ?? 0) > 0))
    .sort(([a], [b]) => a.localeCompare(b));
  if (delayed.length === 0) return cmds;
  const dev = ['dev', 'eth0'];
  cmds.push({ argv: ['tc', 'qdisc', 'add', ...dev, 'root', 'handle', '1:', 'htb', 'default', '1'] });
  cmds.push({ argv: ['tc', 'class', 'add', ...dev, 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '10gbit'] });
  delayed.forEach(([key, f], i) => {
    const to = key.split('->')[1]!;
    const cls = `1:${(i + 10).toString(16)}`;
    const delay = f.delayMs ?? 0;
    const rate = netem ? '10gbit' : `${shapingRate(delay)}bit`;
    const burst = netem ? [] : ['burst', '1600b', 'cburst', '1600b'];
    cmds.push({ argv: ['tc', 'class', 'add', ...dev, 'parent', '1:', 'classid', cls, 'htb', 'rate', rate, ...burst] });
    if (netem) {
      const jitter = f.jitterMs ? [`${f.jitterMs}ms`] : [];
      cmds.push({ argv: ['tc', 'qdisc', 'add', ...dev, 'parent', cls, 'netem', 'delay', `${delay}ms`, ...jitter] });
    }
    cmds.push({ argv: ['tc', 'filter', 'add', ...dev, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dst', `${ips[to]}/32`, 'flowid', cls] });
  });
  return cmds;
}
