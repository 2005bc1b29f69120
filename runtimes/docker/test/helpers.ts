/** Shared by the docker tests: engine check, the maep entry to run, polling, leftover listing. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { dockerAvailable } from '../engine.ts';
import { docker, RUN_LABEL } from '../engine.ts';
import { DEFAULT_ENTRY } from '../bundle.ts';
import { findBinary } from '../rootfs.ts';

export const FAKE_ENTRY = fileURLToPath(new URL('./fixtures/fake-maep.ts', import.meta.url));

/** real maep once node/main.ts exists (SPLITBRAIN_DOCKER_FAKE=1 forces the fixture) */
export function testEntry(): string {
  return existsSync(DEFAULT_ENTRY) && process.env.SPLITBRAIN_DOCKER_FAKE !== '1' ? DEFAULT_ENTRY : FAKE_ENTRY;
}

/** the only allowed skip: no engine answers */
export async function engineOrSkip(t: TestContext): Promise<boolean> {
  const a = await dockerAvailable();
  if (!a.ok) t.skip(`no docker engine: ${a.why}`);
  return a.ok;
}

export function tempRunDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'splitbrain-dockertest-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
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

export async function getKey(http: string, key: string): Promise<unknown> {
  const r = await fetch(`${http}/kv/${encodeURIComponent(key)}`, { signal: AbortSignal.timeout(2000) });
  if (r.status === 404) return undefined;
  if (!r.ok) throw new Error(`GET ${key}: HTTP ${r.status}`);
  return ((await r.json()) as { value?: unknown }).value ?? undefined;
}

export async function putKey(http: string, key: string, value: unknown): Promise<void> {
  const r = await fetch(`${http}/kv/${encodeURIComponent(key)}`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value }), signal: AbortSignal.timeout(5000),
  });
  if (!r.ok) throw new Error(`PUT ${key}: HTTP ${r.status} ${await r.text()}`);
}

export async function status(http: string, timeoutMs = 2000): Promise<{ id: string; clock: number }> {
  const r = await fetch(`${http}/admin/status`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok) throw new Error(`status: HTTP ${r.status}`);
  return (await r.json()) as { id: string; clock: number };
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
