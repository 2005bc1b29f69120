/** Shared by the docker tests: engine check, polling, leftover listing (the system under test: target.ts). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'vitest';
import type { NodeEndpoint } from '../../../api/runtime.ts';
import { docker, dockerAvailable, RUN_LABEL } from '../engine.ts';
import { findBinary } from '../rootfs.ts';

/** the only allowed skip: no engine answers */
export async function engineOrSkip(t: TestContext): Promise<boolean> {
  const a = await dockerAvailable();
  if (!a.ok) t.skip(`no docker engine: ${a.why}`);
  return a.ok;
}

/** a temp dir removed when the test ends */
export function tempRunDir(t: TestContext): string {
  const { dir, remove } = makeTempDir();
  t.onTestFinished(() => { remove(); });
  return dir;
}

/** a temp dir and its removal, for a describe's beforeAll/afterAll (no test context there) */
export function makeTempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'splitbrain-dockertest-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function uniqueRunId(tag: string): string {
  return `test-${tag}-${process.pid}-${Date.now().toString(36)}`;
}

/** poll until fn returns a truthy value; throws with `what` after the deadline */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, deadlineMs = 20_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** what `docker ps -a` / `docker network ls` list with the run's label (CLI when installed) */
export async function leftovers(runId: string): Promise<{ containers: string[]; networks: string[] }> {
  const f = `label=${RUN_LABEL}=${runId}`;
  if (findBinary('docker')) {
    const lines = (args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).split('\n').filter(Boolean);
    return { containers: lines(['ps', '-aq', '--filter', f]), networks: lines(['network', 'ls', '-q', '--filter', f]) };
  }
  const d = docker();
  const label = [`${RUN_LABEL}=${runId}`];
  return {
    containers: (await d.listContainers({ all: true, filters: { label } })).map((c) => c.Id),
    networks: (await d.listNetworks({ filters: { label } })).map((n) => n.Id),
  };
}

/** node id → endpoint */
export function byId(eps: readonly NodeEndpoint[]): Record<string, NodeEndpoint> {
  return Object.fromEntries(eps.map((e) => [e.id, e]));
}
