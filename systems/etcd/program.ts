import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Binary } from '../../api/runtime.ts';

/** the etcd binary: the first on PATH, else Debian's place for it */
export function etcdPath(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'etcd'))) return join(dir, 'etcd');
  }
  return '/usr/bin/etcd';
}

export const ETCD_PROGRAM: Binary = { kind: 'binary', name: 'etcd', path: etcdPath() };

/** the version etcd reports, e.g. "3.4.23", or null when it cannot be run */
export function etcdVersion(path = ETCD_PROGRAM.path): string | null {
  try {
    const out = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    return /etcd Version:\s*(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? null;
  } catch { return null; }
}

/** null when etcd is there and 3.4 or newer, else what to do */
export function etcdProblem(): string | null {
  if (!existsSync(ETCD_PROGRAM.path)) return `etcd is not installed (looked for ${ETCD_PROGRAM.path} and on PATH): apt-get install etcd-server`;
  const v = etcdVersion();
  if (!v) return `${ETCD_PROGRAM.path} --version did not answer with a version; reinstall etcd-server`;
  const [major, minor] = v.split('.').map(Number) as [number, number];
  if (major < 3 || (major === 3 && minor < 4)) return `etcd ${v} is too old: the etcd plug-in needs 3.4 or newer (apt-get install etcd-server)`;
  return null;
}
