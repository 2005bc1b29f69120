/**
 * Running iptables/tc inside one container's network namespace. Two ways:
 *  - "nsenter": the host's own iptables/tc run in the container's netns (nsenter -t <pid> -n).
 *    Works while the container is paused (the netns outlives a frozen cgroup) and needs nothing in
 *    the image; needs a local engine, root, and nsenter/iptables/tc on the host.
 *  - "docker exec": the image's iptables/tc, run through the engine (also for a remote DOCKER_HOST).
 *    Cannot run in a paused container; the runtime applies pending rules on resume.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type Docker from 'dockerode';
import { docker, engineIsLocal } from './engine.ts';
import type { Cmd } from './netplan.ts';
import { findBinary } from './rootfs.ts';

export type NetExecKind = 'nsenter' | 'docker exec';

export function nsenterUsable(local = engineIsLocal()): { ok: boolean; why: string } {
  if (!local) return { ok: false, why: 'the engine is remote (DOCKER_HOST)' };
  if (process.getuid?.() !== 0) return { ok: false, why: 'not root' };
  // tc is optional: without it only link delay is unavailable (probed separately)
  for (const b of ['nsenter', 'iptables', 'iptables-restore']) if (!findBinary(b)) return { ok: false, why: `no ${b} on the host` };
  if (!existsSync('/proc/self/ns/net')) return { ok: false, why: 'no /proc/<pid>/ns' };
  return { ok: true, why: 'local engine, root, host has nsenter and iptables' };
}

export interface CmdResult { code: number; out: string }

export async function runInNetns(kind: NetExecKind, container: Docker.Container, pid: number, cmd: Cmd): Promise<CmdResult> {
  return kind === 'nsenter' ? viaNsenter(pid, cmd) : viaExec(container, cmd);
}

function viaNsenter(pid: number, cmd: Cmd): Promise<CmdResult> {
  return new Promise((res, rej) => {
    const p = spawn('nsenter', ['-t', String(pid), '-n', ...cmd.argv], { stdio: [cmd.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d) => { out += d; });
    p.stderr!.on('data', (d) => { out += d; });
    p.on('error', rej);
    p.on('close', (code) => res({ code: code ?? -1, out }));
    if (p.stdin) {
      p.stdin.on('error', () => {}); // the command may exit before reading; its exit code tells
      p.stdin.end(cmd.stdin);
    }
  });
}

async function viaExec(container: Docker.Container, cmd: Cmd): Promise<CmdResult> {
  // as root: the node itself may run as the invoking user (see runtime.ts), iptables needs root
  const exec = await container.exec({ Cmd: cmd.argv, User: 'root', AttachStdin: cmd.stdin !== undefined, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: cmd.stdin !== undefined });
  let out = '';
  const sink = { write: (d: Buffer) => { out += d.toString(); return true; } } as unknown as NodeJS.WritableStream;
  docker().modem.demuxStream(stream, sink, sink);
  if (cmd.stdin !== undefined) stream.end(cmd.stdin);
  await new Promise<void>((res) => { stream.on('end', () => res()); stream.on('close', () => res()); });
  const info = await exec.inspect();
  return { code: info.ExitCode ?? -1, out };
}
