/**
 * Pure planning: a run's names and subnet → the commands that build its network, tear it down,
 * and put each node's faults in place. The shell (shell.ts) only runs them.
 *
 *   root netns:  bridge sb-<tag> with the harness's address .1 ── sb-<tag>-<i> (host veth ends)
 *   node netns:  sb-<tag>-<id>: lo up, eth0 = the other veth end, with the node's address
 *
 * The only rule in the root namespace is one FORWARD ACCEPT for traffic from the bridge to the
 * bridge: with br_netfilter loaded (docker loads it and sets FORWARD's policy to DROP), frames
 * between two ports of a bridge traverse iptables FORWARD and would be dropped. It carries the
 * run's comment, so a dead run's rule is found again.
 *
 * Fault rules live inside the nodes' namespaces and die with them. They are the docker runtime's
 * (runtimes/docker/netplan.ts, pure): partitions and loss in the receiver's INPUT (chains SB_PART,
 * SB_LINK, swapped whole with iptables-restore --noflush), delay on the sender's eth0 egress with
 * tc (netem when the kernel has sch_netem, else htb rate shaping).
 */
import type { Grudge, LinkFault } from '../../api/runtime.ts';
import { chainSetup, iptablesFor, tcFor } from '../docker/netplan.ts';
import { NODE_DEV, type RunNames } from './names.ts';
import type { Cmd } from './shell.ts';
import type { NetnsSubnet } from './subnet.ts';

/** run a command inside a namespace; iptables commands wait for the xtables lock (-w) */
export function inNs(ns: string, cmd: Cmd): Cmd {
  const [bin, ...rest] = cmd.argv;
  const argv = bin!.startsWith('iptables') ? [bin!, '-w', ...rest] : cmd.argv;
  return { argv: ['ip', 'netns', 'exec', ns, ...argv], ...(cmd.stdin === undefined ? {} : { stdin: cmd.stdin }) };
}

/** the run's FORWARD rule, as an argv tail after `iptables -w -I FORWARD 1` or `-D FORWARD` */
export function forwardRule(names: RunNames): string[] {
  return ['-i', names.bridge, '-o', names.bridge, '-m', 'comment', '--comment', names.comment, '-j', 'ACCEPT'];
}

/** the bridge, its address and the FORWARD rule */
export function bridgeUp(names: RunNames, net: NetnsSubnet): Cmd[] {
  return [
    { argv: ['ip', 'link', 'add', names.bridge, 'type', 'bridge'] },
    { argv: ['ip', 'addr', 'add', `${net.gateway}/${net.prefix}`, 'dev', names.bridge] },
    { argv: ['ip', 'link', 'set', names.bridge, 'up'] },
    { argv: ['iptables', '-w', '-I', 'FORWARD', '1', ...forwardRule(names)] },
  ];
}

/** one node's namespace, its veth pair into the bridge, its address, loopback, its fault chains */
export function nodeUp(names: RunNames, net: NetnsSubnet, id: string): Cmd[] {
  const ns = names.ns[id]!;
  const veth = names.hostVeth[id]!;
  return [
    { argv: ['ip', 'netns', 'add', ns] },
    { argv: ['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', NODE_DEV, 'netns', ns] },
    { argv: ['ip', 'link', 'set', veth, 'master', names.bridge, 'up'] },
    { argv: ['ip', '-n', ns, 'addr', 'add', `${net.ips[id]}/${net.prefix}`, 'dev', NODE_DEV] },
    { argv: ['ip', '-n', ns, 'link', 'set', NODE_DEV, 'up'] },
    { argv: ['ip', '-n', ns, 'link', 'set', 'lo', 'up'] },
    inNs(ns, chainSetup()),
  ];
}

/**
 * Everything of the run, in an order that works from any half-built state (each may fail when its
 * object is absent). Run only after the processes inside the namespaces are gone: a namespace with
 * a live process outlives `ip netns del`, and keeps its veth pair with it.
 */
export function runDown(names: RunNames): Cmd[] {
  return [
    ...Object.values(names.hostVeth).map((v) => ({ argv: ['ip', 'link', 'del', v] })),
    ...Object.values(names.ns).map((ns) => ({ argv: ['ip', 'netns', 'del', ns] })),
    { argv: ['ip', 'link', 'del', names.bridge] },
    { argv: ['iptables', '-w', '-D', 'FORWARD', ...forwardRule(names)] },
  ];
}

/** one node's whole fault state: its INPUT chains, then its egress tc (the first tc step may fail harmlessly) */
export function faultsFor(names: RunNames, id: string, grudge: Grudge, links: Map<string, LinkFault>, ips: Record<string, string>, delay: DelayWay): { iptables: Cmd; tc: Cmd[] } {
  const ns = names.ns[id]!;
  return {
    iptables: inNs(ns, iptablesFor(id, grudge, links, ips)),
    tc: delay === 'none' ? [] : tcFor(id, links, ips, delay === 'netem').map((c) => inNs(ns, c)),
  };
}

/** how link delay is made here: tc netem, htb rate shaping (no sch_netem), or not at all (no tc) */
export type DelayWay = 'netem' | 'htb' | 'none';

export const LINK_MECHANISM: Record<DelayWay, string> = {
  netem: 'tc netem on the sender\'s eth0 (delay, jitter) + iptables statistic DROP in the receiver\'s INPUT (loss)',
  htb: 'tc htb rate shaping on the sender\'s eth0 (delay approximated: one 1500-byte packet takes delayMs; no sch_netem, no jitter) + iptables statistic DROP in the receiver\'s INPUT (loss)',
  none: 'iptables statistic DROP in the receiver\'s INPUT (loss only: no tc, delay is refused)',
};

/** probes, in order, inside one namespace: netem on lo, then htb on lo (each removed again) */
export function delayProbes(ns: string): { way: DelayWay; add: Cmd; del: Cmd }[] {
  const del = inNs(ns, { argv: ['tc', 'qdisc', 'del', 'dev', 'lo', 'root'] });
  return [
    { way: 'netem', add: inNs(ns, { argv: ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'] }), del },
    { way: 'htb', add: inNs(ns, { argv: ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb'] }), del },
  ];
}
