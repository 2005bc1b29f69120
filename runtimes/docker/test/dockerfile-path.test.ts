// Path (a) of the image build: a Dockerfile FROM a Node base image that is present locally. No
// registry here, so the test makes such a base image itself (node + /bin/sh from this host,
// imported) and checks that ensureImage picks the Dockerfile path and that a cluster runs on it.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker } from '../engine.ts';
import { ensureImage } from '../image.ts';
import { materialize, rootfsManifest, findBinary } from '../rootfs.ts';
import { parseLdd } from '../ldd.ts';
import { execFileSync } from 'node:child_process';
import { DockerRuntime } from '../runtime.ts';
import { engineOrSkip, leftovers, tempRunDir, uniqueRunId, waitFor } from './helpers.ts';
import { testTarget } from './target.ts';

/** a stand-in for node:20-bookworm-slim: this host's node and sh, imported as <tag> */
async function makeBaseImage(tag: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'splitbrain-testbase-'));
  try {
    const m = rootfsManifest({ scripts: [], binaries: [], faketime: true });
    // node and its libraries only: a base image has no app, iptables, tc or libfaketime
    m.entries = m.entries.filter((e) => !/^\/app\/|faketime|xtables|^\/usr\/sbin\/|^\/usr\/lib\/tc\//.test(e.dest));
    materialize(m, dir);
    const sh = findBinary('sh')!;
    mkdirSync(join(dir, 'bin'), { recursive: true });
    copyFileSync(sh, join(dir, 'bin', 'sh'));
    for (const lib of parseLdd(execFileSync('ldd', [sh], { encoding: 'utf8' }))) {
      mkdirSync(join(dir, lib, '..'), { recursive: true });
      copyFileSync(lib, join(dir, lib));
    }
    const tar = spawn('tar', ['-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [repo, version] = tag.split(':') as [string, string];
    const out = await docker().importImage(tar.stdout, { repo, tag: version } as object);
    await new Promise((res) => { out.on('end', res); out.resume(); });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('with a Node base image present, the image is built from a Dockerfile and a cluster runs on it', async (t) => {
  if (!(await engineOrSkip(t))) return;
  const base = `splitbrain-testbase:${process.pid}`;
  await makeBaseImage(base);
  const built: string[] = [];
  t.onTestFinished(async () => {
    for (const tag of [...built, base]) await docker().getImage(tag).remove({ force: true }).catch(() => {});
  });
  const lines: string[] = [];
  const T = await testTarget();
  const runId = uniqueRunId('dockerfile');
  const spec = T.spec({ nodes: ['n1', 'n2'], runDir: tempRunDir(t), runId });
  const img = await ensureImage({ programs: spec.programs, system: spec.system, baseImage: base, log: (l) => lines.push(l) });
  built.push(img.tag);
  assert.equal(img.how, 'dockerfile');
  assert.equal(img.built, true);
  assert.ok(lines.some((l) => l.includes('Dockerfile') && l.includes(base)), lines.join('\n'));
  const again = await ensureImage({ programs: spec.programs, system: spec.system, baseImage: base, log: () => {} });
  assert.deepEqual([again.tag, again.built], [img.tag, false]);

  const rt = new DockerRuntime({ baseImage: base, log: () => {} });
  t.onTestFinished(() => rt.teardown());
  const eps = await rt.setup(spec);
  assert.equal(rt.info.mechanisms.image, 'dockerfile');
  for (const e of eps) assert.equal((await T.status(e)).id, e.id);
  if (img.faketime) {
    await rt.setClockOffset('n1', -90_000);
    await waitFor('n1 clock ~ -90 s', async () => {
      const skew = (await T.status(eps[0]!)).clock - Date.now();
      return skew < -80_000 && skew > -100_000;
    });
  }
  await rt.teardown();
  assert.deepEqual(await leftovers(runId), { containers: [], networks: [] });
});
