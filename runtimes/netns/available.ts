/**
 * Can this machine run netns clusters? Root, `ip` and `iptables` on the PATH, and a namespace that
 * can really be created (a container without CAP_SYS_ADMIN has the tools but cannot).
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { delayProbes, type DelayWay } from './plan.ts';
import { runSync } from './shell.ts';

export interface NetnsProbe { ok: boolean; why: string }

export function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin']).some((d) => d && existsSync(join(d, bin)));
}

let cached: NetnsProbe | undefined;

export function netnsAvailable(): NetnsProbe {
  if (cached) return cached;
  if (process.platform !== 'linux') return (cached = { ok: false, why: 'network namespaces are Linux only' });
  if (process.getuid?.() !== 0) return (cached = { ok: false, why: 'not root (network namespaces, veth pairs and iptables need root)' });
  for (const b of ['ip', 'iptables', 'iptables-restore']) {
    if (!onPath(b)) return (cached = { ok: false, why: `no ${b} on the PATH (apt-get install iproute2 iptables)` });
  }
  const ns = `sb-probe-${process.pid}`;
  const add = runSync({ argv: ['ip', 'netns', 'add', ns] });
  runSync({ argv: ['ip', 'netns', 'del', ns] });
  if (add.code !== 0) return (cached = { ok: false, why: `\`ip netns add\` fails here: ${add.out.trim()}` });
  return (cached = { ok: true, why: 'root, ip and iptables present, namespaces can be created' });
}

let delayCached: DelayWay | undefined;

/**
 * How this kernel can delay a link, probed once in a throwaway namespace: tc netem, else htb rate
 * shaping (this machine class has no sch_netem and no fq), else none (no tc).
 */
export function delayWay(): DelayWay {
  if (delayCached) return delayCached;
  const ns = `sb-probe-tc-${process.pid}`;
  if (runSync({ argv: ['ip', 'netns', 'add', ns] }).code !== 0) return 'none';
  try {
    for (const p of delayProbes(ns)) {
      if (runSync(p.add).code === 0) { runSync(p.del); return (delayCached = p.way); }
    }
    return (delayCached = 'none');
  } finally {
    runSync({ argv: ['ip', 'netns', 'del', ns] });
  }
}
