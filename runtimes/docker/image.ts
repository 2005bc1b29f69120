/**
 * The maep image, tagged splitbrain-maep:<content hash> so an unchanged image is never rebuilt.
 * Two ways, chosen automatically and printed:
 *  (a) "dockerfile": FROM a Node base image, when it is present locally or can be pulled;
 *  (b) "rootfs-import": a root filesystem assembled from this host (rootfs.ts), `docker import`ed.
 * This machine has no registry, so (b) is the path exercised here.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleMaep } from './bundle.ts';
import { docker } from './engine.ts';
import { findFaketime, manifestHash, materialize, rootfsManifest } from './rootfs.ts';
import { trackTempDir, untrackTempDir } from './cleanup.ts';

export const IMAGE_REPO = 'splitbrain-maep';
/** bump when the recipe changes in a way the file contents do not show */
const RECIPE = 'splitbrain-maep-v1';

export type ImageHow = 'rootfs-import' | 'dockerfile';

export interface ImageResult {
  tag: string;
  how: ImageHow;
  /** false when an image with this content hash already existed */
  built: boolean;
  /** libfaketime's path inside the image, "" when the image has none */
  faketime: string;
  /** the maep bundle's content hash (the node "version" recorded in test.json) */
  bundleHash: string;
}

export interface ImageOptions {
  /** maep entry point to bundle (default node/main.ts) */
  entry?: string;
  /** base image for path (a); default node:<major>-bookworm-slim or $SPLITBRAIN_NODE_IMAGE */
  baseImage?: string;
  /** skip path (a) even when a base image is available */
  forceRootfs?: boolean;
  log?: (line: string) => void;
}

/**
 * Remove splitbrain-maep images other than `keep` that are older than `olderThanMs` (default 10
 * min, so a concurrent run that just chose its image is not robbed of it). Images in use by a
 * container are kept (no force). Each maep change makes a new ~120 MB image; this bounds the pile.
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
  // maep images that lost their tag (replaced while a container still used them) once unused
  if (!only('')) return removed;
  for (const img of await docker().listImages({ filters: { dangling: ['true'], label: ['splitbrain.image=maep'] } })) {
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

export async function ensureImage(opts: ImageOptions = {}): Promise<ImageResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const bundle = await bundleMaep(opts.entry);
  const bundleHash = createHash('sha256').update(bundle).digest('hex').slice(0, 12);
  const base = opts.baseImage ?? process.env.SPLITBRAIN_NODE_IMAGE ?? `node:${process.versions.node.split('.')[0]}-bookworm-slim`;
  if (!opts.forceRootfs && (await baseAvailable(base, log))) return dockerfileImage(base, bundle, bundleHash, log);
  return rootfsImage(bundle, bundleHash, log);
}

async function rootfsImage(bundle: Buffer, bundleHash: string, log: (l: string) => void): Promise<ImageResult> {
  const m = rootfsManifest(bundle);
  const tag = `${IMAGE_REPO}:${manifestHash(m, RECIPE).slice(0, 16)}`;
  const res: ImageResult = { tag, how: 'rootfs-import', built: false, faketime: m.faketime, bundleHash };
  if (await imageExists(tag)) {
    log(`docker image: ${tag} (rootfs-import) is up to date`);
    return res;
  }
  log(`docker image: building ${tag} by importing a root filesystem assembled from this host: ${m.summary.join(', ')}`);
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
        'CMD ["/usr/local/bin/node", "/app/maep.mjs"]',
        `LABEL splitbrain.image=maep splitbrain.faketime=${m.faketime || 'none'}`,
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

async function dockerfileImage(base: string, bundle: Buffer, bundleHash: string, log: (l: string) => void): Promise<ImageResult> {
  const ft = findFaketime();
  const faketime = ft ? '/usr/local/lib/faketime/libfaketime.so.1' : '';
  const dockerfile = [
    `FROM ${base}`,
    // iptables and tc are only needed for `docker exec` (remote engines); best effort offline
    'RUN (apt-get update && apt-get install -y --no-install-recommends iptables iproute2) >/dev/null 2>&1 || true',
    'WORKDIR /data',
    'WORKDIR /splitbrain',
    'WORKDIR /',
    'COPY maep.mjs /app/maep.mjs',
    ...(ft ? [`COPY libfaketime.so.1 ${faketime}`] : []),
    `LABEL splitbrain.image=maep splitbrain.faketime=${faketime || 'none'}`,
    'CMD ["node", "/app/maep.mjs"]',
    '',
  ].join('\n');
  const baseId = (await docker().getImage(base).inspect()).Id;
  const h = createHash('sha256').update(RECIPE).update(baseId).update(dockerfile).update(bundle);
  if (ft) h.update(readFileSync(ft));
  const tag = `${IMAGE_REPO}:${h.digest('hex').slice(0, 16)}`;
  const res: ImageResult = { tag, how: 'dockerfile', built: false, faketime, bundleHash };
  if (await imageExists(tag)) {
    log(`docker image: ${tag} (dockerfile from ${base}) is up to date`);
    return res;
  }
  log(`docker image: building ${tag} from a Dockerfile on base image ${base}`);
  return withTempDir('splitbrain-build-', async (dir) => {
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    writeFileSync(join(dir, 'maep.mjs'), bundle);
    if (ft) copyFileSync(ft, join(dir, 'libfaketime.so.1'));
    const stream = await docker().buildImage({ context: dir, src: ['Dockerfile', 'maep.mjs', ...(ft ? ['libfaketime.so.1'] : [])] }, { t: tag });
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
