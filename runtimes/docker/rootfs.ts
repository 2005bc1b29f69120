/**
 * Path (b) of the image build: a root filesystem assembled from the host, for machines with no
 * registry. It holds the node binary and the shared libraries ldd says it needs, the system's
 * programs (node-script bundles at /app/<name>.mjs, binaries at their host paths with their
 * libraries), iptables (the xtables multi-binary, its extension modules) and tc with their
 * libraries, and libfaketime when the system wants it and the host has it. The manifest is computed first (pure data + file hashes) so an
 * unchanged image is recognised by its content hash without copying anything.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseLdd } from './ldd.ts';

export type Entry =
  | { kind: 'file'; dest: string; src: string }
  | { kind: 'data'; dest: string; content: Buffer; mode?: number }
  | { kind: 'link'; dest: string; target: string }
  | { kind: 'dir'; dest: string };

export interface RootfsManifest {
  entries: Entry[];
  /** absolute path of libfaketime inside the image, or "" when the host has none */
  faketime: string;
  /** what went in, for the log line */
  summary: string[];
}

const SEARCH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function findBinary(name: string): string | undefined {
  for (const d of SEARCH) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export function lddOf(path: string): string[] {
  try {
    return parseLdd(execFileSync('ldd', [path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return []; // static binary or not an ELF file
  }
}

export function findFaketime(): string | undefined {
  for (const base of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib']) {
    const p = join(base, 'faketime', 'libfaketime.so.1');
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** What a system's programs put into an image. */
export interface AppFiles {
  /** bundled node-script programs, each at /app/<name>.mjs */
  scripts: { name: string; content: Buffer }[];
  /** binary programs, each at its host path (with the shared libraries ldd lists) */
  binaries: { name: string; path: string }[];
  /** add libfaketime (when the host has it) */
  faketime: boolean;
}

/** Everything the image needs, from this host. */
export function rootfsManifest(app: AppFiles, nodeBinary = process.execPath): RootfsManifest {
  const entries: Entry[] = [];
  const libs = new Set<string>();
  const summary: string[] = [];
  const addBinary = (src: string, dest: string) => {
    entries.push({ kind: 'file', dest, src: realpathSync(src) });
    for (const l of lddOf(src)) libs.add(l);
  };

  addBinary(nodeBinary, '/usr/local/bin/node');
  entries.push({ kind: 'link', dest: '/usr/bin/node', target: '/usr/local/bin/node' });
  summary.push(`node ${process.version}`);
  for (const s of app.scripts) {
    entries.push({ kind: 'data', dest: `/app/${s.name}.mjs`, content: s.content });
    summary.push(`${s.name} bundle ${(s.content.length / 1024).toFixed(0)} KiB`);
  }
  for (const b of app.binaries) {
    addBinary(b.path, b.path);
    summary.push(`${b.name} (${b.path})`);
  }

  const ipt = findBinary('iptables');
  if (ipt) {
    const real = realpathSync(ipt);
    const multi = `/usr/sbin/${real.split('/').pop()}`;
    addBinary(real, multi);
    for (const n of ['iptables', 'iptables-restore', 'iptables-save']) entries.push({ kind: 'link', dest: `/usr/sbin/${n}`, target: multi });
    for (const lib of libs) {
      if (!lib.includes('libxtables') || !existsSync(join(dirname(lib), 'xtables'))) continue;
      // the real path: libxtables looks in its compiled-in XTABLES_LIBDIR (/usr/lib/...), and the
      // image has no merged-/usr symlinks to make /lib/... and /usr/lib/... the same place
      const mods = realpathSync(join(dirname(lib), 'xtables'));
      for (const m of readdirSync(mods).filter((f) => f.endsWith('.so')).sort()) addBinary(join(mods, m), join(mods, m));
      break;
    }
    summary.push(`iptables (${multi.split('/').pop()})`);
  }
  const tc = findBinary('tc');
  if (tc) {
    addBinary(tc, '/usr/sbin/tc');
    if (existsSync('/usr/lib/tc')) for (const f of readdirSync('/usr/lib/tc').sort()) entries.push({ kind: 'file', dest: `/usr/lib/tc/${f}`, src: `/usr/lib/tc/${f}` });
    summary.push('tc');
  }
  const ft = app.faketime ? findFaketime() : undefined;
  if (ft) {
    addBinary(ft, ft);
    summary.push('libfaketime');
  }
  // libraries keep their host paths, so the dynamic loader finds them where ldd did
  for (const l of [...libs].sort()) entries.push({ kind: 'file', dest: l, src: realpathSync(l) });

  const etc = (dest: string, text: string) => entries.push({ kind: 'data', dest, content: Buffer.from(text) });
  etc('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  etc('/etc/group', 'root:x:0:\nnogroup:x:65534:\n');
  etc('/etc/nsswitch.conf', 'hosts: files dns\n');
  if (existsSync('/etc/protocols')) entries.push({ kind: 'file', dest: '/etc/protocols', src: '/etc/protocols' });
  for (const d of ['/tmp', '/data', '/run', '/root', '/splitbrain', '/proc', '/sys', '/dev']) entries.push({ kind: 'dir', dest: d });

  // duplicates (a library needed by two binaries) collapse to the first entry for a path
  const seen = new Set<string>();
  const unique = entries.filter((e) => (seen.has(e.dest) ? false : (seen.add(e.dest), true)));
  return { entries: unique, faketime: ft ?? '', summary };
}

/** Content hash of a manifest: paths, kinds, modes and file contents. */
export function manifestHash(m: RootfsManifest, recipe: string): string {
  const h = createHash('sha256').update(recipe);
  for (const e of [...m.entries].sort((a, b) => a.dest.localeCompare(b.dest))) {
    h.update(`\0${e.kind}\0${e.dest}\0`);
    if (e.kind === 'file') h.update(`${statSync(e.src).mode & 0o777}\0`).update(readFileSync(e.src));
    else if (e.kind === 'data') h.update(`${e.mode ?? 0o644}\0`).update(e.content);
    else if (e.kind === 'link') h.update(e.target);
  }
  return h.digest('hex');
}

/** Write the manifest below `dir` (an empty directory). */
export function materialize(m: RootfsManifest, dir: string): void {
  for (const e of m.entries) {
    const p = join(dir, e.dest);
    mkdirSync(e.kind === 'dir' ? p : dirname(p), { recursive: true });
    if (e.kind === 'file') { copyFileSync(e.src, p); chmodSync(p, statSync(e.src).mode & 0o777); }
    else if (e.kind === 'data') writeFileSync(p, e.content, { mode: e.mode ?? 0o644 });
    else if (e.kind === 'link') symlinkSync(e.target, p);
  }
  chmodSync(join(dir, 'tmp'), 0o1777);
}
