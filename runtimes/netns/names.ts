/**
 * Pure naming of everything a run creates, all derived from its run id, so that two runs never
 * share a name and a dead run's leftovers can be found again from its state file alone.
 * Linux interface names are at most 15 bytes: bridge "sb-<tag>" (11), host veth end
 * "sb-<tag>-<i>" (≤ 14 for 240 nodes); inside each namespace the other end is always "eth0".
 */
import { createHash } from 'node:crypto';

/** 8 hex digits of the run id's sha256: short, and unique enough for runs on one machine */
export function runTag(runId: string): string {
  return createHash('sha256').update(runId).digest('hex').slice(0, 8);
}

export interface RunNames {
  tag: string;
  bridge: string;
  /** node id → its network namespace */
  ns: Record<string, string>;
  /** node id → the veth end left in the root namespace (enslaved to the bridge) */
  hostVeth: Record<string, string>;
  /** the iptables comment on the run's root-namespace FORWARD rule */
  comment: string;
}

/** a node id as part of a namespace name (a file name under /run/netns) */
function safe(s: string): string {
  return s.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

export function runNames(runId: string, nodes: readonly string[]): RunNames {
  const tag = runTag(runId);
  return {
    tag,
    bridge: `sb-${tag}`,
    ns: Object.fromEntries(nodes.map((n) => [n, `sb-${tag}-${safe(n)}`])),
    hostVeth: Object.fromEntries(nodes.map((n, i) => [n, `sb-${tag}-${i}`])),
    comment: `splitbrain-netns-${tag}`,
  };
}

/** the device name every node's own veth end gets inside its namespace */
export const NODE_DEV = 'eth0';
