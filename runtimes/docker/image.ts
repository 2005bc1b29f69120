/**
 * The node image, built from what a system declares (ClusterSpec.programs) and tagged
 * splitbrain-node:<content hash> (labelled splitbrain.system=<system>), so an unchanged image is
 * never rebuilt. A node-script program is bundled with esbuild into /app/<name>.mjs and run with the
 * image's node; a binary program is copied in at its host path with the shared libraries ldd lists.
 * Two ways, chosen automatically and printed:
 *  (a) "dockerfile": FROM a Node base image, when it is present locally or can be pulled;
 *  (b) "rootfs-import": a root filesystem assembled from this host (rootfs.ts), `docker import`ed.
 * This machine has no registry, so (b) is the path exercised here.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { Program } from '../../api/runtime.ts';
import { bundleScript } from './bundle.ts';
import { docker } from './engine.ts';
import { findFaketime, lddOf, manifestHash, materialize, rootfsManifest, type AppFiles } from './rootfs.ts';
import { trackTempDir, untrackTempDir } from './cleanup.ts';

export const IMAGE_REPO = 'splitbrain-node';
/** every image this runtime builds carries splitbrain.image=<IMAGE_KIND> (untagged ones are pruned by it) */
export const IMAGE_KIND = 'node';
/** bump when the recipe changes in a way the file contents do not show */
const RECIPE = 'splitbrain-node-v1';
/** the image's node binary (both ways put it here) */
export const IMAGE_NODE = '/usr/local/bin/node';

export type ImageHow = 'rootfs-import' | 'dockerfile';

export interface ImageResult {
  tag: string;
  how: ImageHow;
  /** false when an image with this content hash already existed */
  built: boolean;
  /** libfaketime's path inside the image, "" when the image has none */
  faketime: string;
  /** the programs' content hash (the node "version" recorded in test.json) */
  programsHash: string;
}

export interface ImageOptions {
  /** what the system runs (ClusterSpec.programs) */
  programs: readonly Program[];
  /** the system's name, for the image label and messages */
  system: string;
  /** put libfaketime in the image when the host has it (SystemNeeds.libfaketime); default true */
  faketime?: boolean;
  /** base image for path (a); default node:<major>-bookworm-slim or $SPLITBRAIN_NODE_IMAGE */
  baseImage?: string;
  /** skip path (a) even when a base image is available */
  forceRootfs?: boolean;
  log?: (line: string) => void;
}

/** the in-container command that runs a program (its arguments follow) */
export function programCommand(p: Program): string[] {
  return p.kind === 'node-script' ? [IMAGE_NODE, `/app/${p.name}.mjs`] : [p.path];
}

/** a program's problem as an image input, or null */
export function programProblem(p: Program): string | null {
  if (!/^[A-Za-z0-9_.-]+$/.test(p.name)) return `program name ${JSON.stringify(p.name)} must be letters, digits, '_', '.', '-'`;
  if (p.kind === 'binary') {
    if (!p.path.startsWith('/')) return `binary program ${p.name}: path ${p.path} is not absolute`;
    if (!existsSync(p.path)) return `binary program ${p.name}: ${p.path} does not exist on this host (install it first)`;
  } else if (p.kind === 'node-script') {
    if (!existsSync(p.entry)) return `node-script program ${p.name}: entry ${p.entry} does not exist`;
  } else {
    return `program ${(p as Program).name}: unknown kind ${(p as { kind: string }).kind}`;
  }
  return null;
}

/** bundle the scripts, check the binaries */
async function appFiles(opts: ImageOptions): Promise<AppFiles> {
  if (opts.programs.length === 0) throw new Error(`docker image: system ${opts.system} declares no programs`);
  const names = new Set<string>();
  for (const p of opts.programs) {
    const problem = programProblem(p);
    if (problem) throw new Error(`docker image for ${opts.system}: ${problem}`);
    if (names.has(p.name)) throw new Error(`docker image for ${opts.system}: two programs are named ${p.name}`);
    names.add(p.name);
  }
  const scripts: AppFiles['scripts'] = [];
  for (const p of opts.programs) if (p.kind === 'node-script') scripts.push({ name: p.name, content: await bundleScript(p.entry) });
  const binaries = opts.programs.filter((p): p is Extract<Program, { kind: 'binary' }> => p.kind === 'binary').map((p) => ({ name: p.name, path: p.path }));
  return { scripts, binaries, faketime: opts.faketime ?? true };
}

/** hash of what the programs put in (bundles, binaries and their libraries) */
function programsHash(app: AppFiles): string {
  const h = createHash('sha256');
  for (const s of app.scripts) h.update(`\0script\0${s.name}\0`).update(s.content);
  for (const b of app.binaries) {
    h.update(`\0binary\0${b.name}\0${b.path}\0`).update(readFileSync(b.path));
    for (const l of lddOf(b.path)) h.update(`\0lib\0${l}\0`).update(readFileSync(l));
  }
  return h.digest('hex').slice(0, 12);
}

/**
 * Remove splitbrain-node images other than `keep` that are older than `olderThanMs` (default 10
 * min, so a concurrent run that just chose its image is not robbed of it). Images in use by a
 * container are kept (no force). Each program change makes a new ~120 MB image; this bounds the pile.
 */
export async function pruneOldImages(keep: string, olderThanMs = 10 * 60_000, only: (tag: string) => boolean = () => true): Promise<string[]> {
  const removed: string[] = [];
  const now = Date.now() / 1000;
  for (const img of await docker().listImages({ filters: { reference: [IMAGE_REPO] } })) {
    if (now - img.Created < olderThanMs / 1000) continue;
    for (const tag of img.RepoTags ?? []) {
      if (tag === keep || !tag.startsWith(`${IMAGE_REPO}:`) || !only(tag)) continue;
      try { await docker().getImage(tag).remove({ force: false }); removed.push(tag); } catch { /* in use */ }
    }
  }
  // our images that lost their tag (replaced while a container still used them) once unused
  if (!only('')) return removed;
  for (const img of await docker().listImages({ filters: { dangling: ['true'], label: [`splitbrain.image=${IMAGE_KIND}`] } })) {
    if (now - img.Created < olderThanMs / 1000) continue;
    try { await docker().getImage(img.Id).remove({ force: false }); removed.push(img.Id.slice(0, 19)); } catch { /* in use */ }
  }
  return removed;
}

export async function imageExists(tag: string): Promise<boolean> {
  try { await docker().getImage(tag).inspect(); return true; } catch { return false; }
}

const pullFailed = new Map<string, string>();
/** true when the base image is local or could be pulled; the failure reason is cached per process */
async function baseAvailable(base: string, log: (l: string) => void): Promise<boolean> {
  if (await imageExists(base)) return true;
  if (pullFailed.has(base)) return false;
  try {
    const stream = await docker().pull(base);
    await new Promise<void>((res, rej) => docker().modem.followProgress(stream, (err: Error | null) => (err ? rej(err) : res())));
    return true;
  } catch (e) {
    const why = (e as Error).message.split('\n')[0] ?? '';
    pullFailed.set(base, why);
    log(`docker image: base image ${base} is not local and cannot be pulled (${why.slice(0, 160)})`);
    return false;
  }
}

export async function ensureImage(opts: ImageOptions): Promise<ImageResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const app = await appFiles(opts);
  const base = opts.baseImage ?? process.env.SPLITBRAIN_NODE_IMAGE ?? `node:${process.versions.node.split('.')[0]}-bookworm-slim`;
  if (!opts.forceRootfs && (await baseAvailable(base, log))) return dockerfileImage(base, app, opts.system, log);
  return rootfsImage(app, opts.system, log);
}

function labels(system: string, faketime: string): string {
  return `LABEL splitbrain.image=${IMAGE_KIND} splitbrain.system=${JSON.stringify(system)} splitbrain.faketime=${faketime || 'none'}`;
}

async function rootfsImage(app: AppFiles, system: string, log: (l: string) => void): Promise<ImageResult> {
  const m = rootfsManifest(app);
  const tag = `${IMAGE_REPO}:${manifestHash(m, `${RECIPE}\0${system}`).slice(0, 16)}`;
  const res: ImageResult = { tag, how: 'rootfs-import', built: false, faketime: m.faketime, programsHash: programsHash(app) };
  if (await imageExists(tag)) {
    log(`docker image: ${tag} for ${system} (rootfs-import) is up to date`);
    return res;
  }
  log(`docker image: building ${tag} for ${system} by importing a root filesystem assembled from this host: ${m.summary.join(', ')}`);
  return withTempDir('splitbrain-rootfs-', async (dir) => {
    materialize(m, dir);
    const tar = spawn('tar', ['-C', dir, '--numeric-owner', '--owner=0', '--group=0', '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tarErr = '';
    tar.stderr.on('data', (d) => { tarErr += d; });
    const tarDone = new Promise<void>((res, rej) => tar.on('close', (code) => (code === 0 ? res() : rej(new Error(`tar failed (${code}): ${tarErr}`)))));
    const [repo, version] = tag.split(':') as [string, string];
    const out = await docker().importImage(tar.stdout, {
      repo, tag: version,
      changes: [
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'WORKDIR /',
        `CMD ["${IMAGE_NODE}", "--version"]`,
        labels(system, m.faketime),
      ],
    } as object);
    const body = await streamText(out);
    await tarDone;
    if (!(await imageExists(tag))) throw new Error(`docker import did not create ${tag}: ${body.slice(0, 400)}`);
    const pruned = await pruneOldImages(tag).catch(() => []);
    if (pruned.length) log(`docker image: removed ${pruned.length} older image(s): ${pruned.join(', ')}`);
    return { ...res, built: true };
  });
}

async function dockerfileImage(base: string, app: AppFiles, system: string, log: (l: string) => void): Promise<ImageResult> {
  const ft = app.faketime ? findFaketime() : undefined;
  const faketime = ft ? '/usr/local/lib/faketime/libfaketime.so.1' : '';
  // binaries and their libraries keep their host paths (under files/ in the build context)
  const hostFiles = new Set<string>();
  for (const b of app.binaries) { hostFiles.add(b.path); for (const l of lddOf(b.path)) hostFiles.add(l); }
  const dockerfile = [
    `FROM ${base}`,
    // iptables and tc are only needed for `docker exec` (remote engines); best effort offline
    'RUN (apt-get update && apt-get install -y --no-install-recommends iptables iproute2) >/dev/null 2>&1 || true',
    'WORKDIR /data',
    'WORKDIR /splitbrain',
    'WORKDIR /',
    ...app.scripts.map((s) => `COPY app/${s.name}.mjs /app/${s.name}.mjs`),
    ...(hostFiles.size ? ['COPY files/ /'] : []),
    ...(ft ? [`COPY libfaketime.so.1 ${faketime}`] : []),
    labels(system, faketime),
    'CMD ["node", "--version"]',
    '',
  ].join('\n');
  const baseId = (await docker().getImage(base).inspect()).Id;
  const h = createHash('sha256').update(RECIPE).update(system).update(baseId).update(dockerfile).update(programsHash(app));
  if (ft) h.update(readFileSync(ft));
  const tag = `${IMAGE_REPO}:${h.digest('hex').slice(0, 16)}`;
  const res: ImageResult = { tag, how: 'dockerfile', built: false, faketime, programsHash: programsHash(app) };
  if (await imageExists(tag)) {
    log(`docker image: ${tag} for ${system} (dockerfile from ${base}) is up to date`);
    return res;
  }
  log(`docker image: building ${tag} for ${system} from a Dockerfile on base image ${base}`);
  return withTempDir('splitbrain-build-', async (dir) => {
    const src = ['Dockerfile'];
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    for (const s of app.scripts) {
      mkdirSync(join(dir, 'app'), { recursive: true });
      writeFileSync(join(dir, 'app', `${s.name}.mjs`), s.content);
      src.push(`app/${s.name}.mjs`);
    }
    for (const f of [...hostFiles].sort()) {
      const dest = join(dir, 'files', f);
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(realpathSync(f), dest);
      chmodSync(dest, statSync(f).mode & 0o777);
      src.push(relative(dir, dest));
    }
    if (ft) { copyFileSync(ft, join(dir, 'libfaketime.so.1')); src.push('libfaketime.so.1'); }
    const stream = await docker().buildImage({ context: dir, src }, { t: tag });
    await new Promise<void>((ok, fail) => docker().modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) => {
      const bad = err ?? out.find((o) => o.error);
      bad ? fail(new Error(`docker build failed: ${err?.message ?? (bad as { error?: string }).error}`)) : ok();
    }));
    return { ...res, built: true };
  });
}

/** a build folder, removed afterwards, and by the exit hook (cleanup.ts) if the process ends mid-build */
async function withTempDir<T>(prefix: string, build: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  trackTempDir(dir);
  try {
    return await build(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    untrackTempDir(dir);
  }
}

function streamText(s: NodeJS.ReadableStream): Promise<string> {
  return new Promise((res, rej) => {
    let t = '';
    s.on('data', (d) => { t += d; });
    s.on('end', () => res(t));
    s.on('error', rej);
  });
}
