/**
 * The system conformance suite (issue #12 point 7): what every System must do on a runtime, checked
 * through the same seams a run uses (clusterSpec → Runtime.setup, the system's probe, its clients).
 * For each workload the system supports (that the project knows), on a fresh cluster:
 *  1. nodes start and answer: setup gives one endpoint per node and the system's probe says ready;
 *  2. the client does its ops: a short burst of generated ops through the real client, one worker
 *     per node; every op completes ok, fail or info, and every kind of op (f) succeeds at least once;
 *     where the runtime can partition this system, the last node is cut off from the second half on
 *     (for at least 2 s, so that what crossed its links is lost, not merely late);
 *  3. final reads agree after heal: after Runtime.heal, rounds of sync (if any) and a final read on
 *     every node until all are ok with an equal {state, digest} of the shape the workload's
 *     checkers expect;
 *  4. teardown leaves nothing: no process mentions the run folder, plus the runtime's own check.
 *
 * Usage from a test file (node:test): systemConformance(system, () => new SomeRuntime(), {label}).
 */
import { describe, test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { System, SystemRun } from '../../api/system.ts';
import type { Client } from '../../api/client.ts';
import type { NodeEndpoint, Runtime } from '../../api/runtime.ts';
import type { Completion, GeneratedOp, WorkloadInstance } from '../../api/workload.ts';
import type { FinalRead } from '../../api/history.ts';
import { Rng } from '../../api/rng.ts';
import { WORKLOADS, createWorkload } from '../../workloads/index.ts';
import { clusterSpec } from '../../harness/system/cluster-spec.ts';
import { allAgree } from '../../harness/runner/run-test.ts';
import { processesMentioning, waitFor } from '../../runtimes/test/helpers.ts';

export interface ConformanceOptions {
  /** names the runtime in test titles, temp dirs and run ids, e.g. "local" */
  label: string;
  /** why the suite cannot run here (e.g. no docker engine); the tests are skipped with it */
  skip?: string | false;
  /** default 3 */
  nodes?: number;
  /** default: every workload the system supports that the project knows */
  workloads?: readonly string[];
  /** ops in the burst per workload; default 90 */
  ops?: number;
  /** per-op timeout; default 2000 */
  opTimeoutMs?: number;
  /** how long the final reads may take to agree after the heal; default 20 s */
  convergeTimeoutMs?: number;
  /** how long the last node stays cut off (at least), so that what its links carried is dropped, not just late; default 2000 */
  partitionMs?: number;
  /** seed of the op generator; default 1 */
  seed?: number;
  /** what the runtime left behind beside processes (containers, networks), empty when nothing */
  leftovers?: (runId: string) => Promise<string[]>;
}

/** the state shape each built-in workload's checkers read from a final read (workloads/<name>.ts) */
function stateProblem(workload: WorkloadInstance, state: unknown): string | null {
  const s = state as Record<string, unknown> | null;
  if (!s || typeof s !== 'object') return 'state is not an object';
  const need = (field: string, keys: readonly unknown[]): string | null => {
    const m = s[field] as Record<string, unknown> | undefined;
    if (!m || typeof m !== 'object') return `state has no "${field}" object`;
    const missing = keys.filter((k) => !(String(k) in m));
    return missing.length ? `state.${field} lacks ${missing.join(', ')}` : null;
  };
  const p = workload.checkParams;
  if (workload.name === 'bank') {
    const bad = need('balances', p.accounts as number[]);
    if (bad) return bad;
    const nonNumbers = Object.entries(s.balances as object).filter(([, v]) => typeof v !== 'number');
    return nonNumbers.length ? `balances that are not numbers: ${nonNumbers.map(([k]) => k).join(', ')}` : null;
  }
  if (workload.name === 'lww') return need('registers', p.keys as number[]);
  if (workload.name === 'history') return need('keys', p.keys as number[]);
  if (workload.name === 'set') return Array.isArray(s.elements) ? null : 'state has no "elements" array';
  return null;
}

/** a client bug is a finding of this suite, not a crash of it: an exception becomes an info with the error */
async function invokeSafely(client: Client, op: GeneratedOp, signal: AbortSignal): Promise<Completion> {
  try { return await client.invoke(op, signal); } catch (e) { return { type: 'info', value: op.value, error: `client threw: ${(e as Error).message}` }; }
}

export function systemConformance(system: System, makeRuntime: () => Runtime | Promise<Runtime>, opts: ConformanceOptions): void {
  const nodes = Array.from({ length: opts.nodes ?? 3 }, (_, i) => `n${i + 1}`);
  const workloads = opts.workloads ?? Object.keys(system.workloads).filter((w) => w in WORKLOADS);
  const opCount = opts.ops ?? 90;
  const timeoutMs = opts.opTimeoutMs ?? 2000;

  for (const name of workloads) {
    describe(`${system.name} conformance on ${opts.label}: ${name}`, { skip: !!(opts.skip || false), timeout: 300_000 }, () => {
      const workload = createWorkload(name);
      const serves = system.workloads[name]!;
      const runId = `conformance-${system.name}-${name}-${process.pid}-${Date.now().toString(36)}`;
      let runDir = '';
      let runtime: Runtime | null = null;
      let endpoints: NodeEndpoint[] = [];
      let tornDown = false;
      const clients = new Map<string, Client>();
      const abort = new AbortController();
      const clientOf = (ep: NodeEndpoint): Client => {
        let c = clients.get(ep.id);
        if (!c) { c = serves.client({ node: ep, cluster: endpoints, workload, timeoutMs }); clients.set(ep.id, c); }
        return c;
      };
      const closeClients = async () => { for (const c of clients.values()) await c.close?.().catch(() => {}); clients.clear(); };

      beforeAll(async () => {
        assert.ok(serves, `${system.name} lists ${name} among its workloads`);
        runDir = mkdtempSync(join(tmpdir(), `splitbrain-conformance-${opts.label}-${system.name}-${name}-`));
        // the system's own params at their defaults (what a run without --system-params gets)
        const run: SystemRun = { nodes, runDir, workload, faultKinds: [], nodeArgs: [], systemParams: system.parseParams?.({}) ?? {} };
        await system.prepare?.(run);
        runtime = await makeRuntime();
        endpoints = await runtime.setup(clusterSpec(system, run, runId));
        await system.clusterReady?.(endpoints, run, abort.signal);
      });

      afterAll(async () => {
        abort.abort();
        await closeClients();
        if (!tornDown) await runtime?.teardown();
        if (runDir) rmSync(runDir, { recursive: true, force: true });
      });

      test('nodes start and answer', async () => {
        assert.deepEqual(endpoints.map((e) => e.id).sort(), [...nodes].sort(), 'one endpoint per node');
        for (const ep of endpoints) {
          for (const port of Object.keys(system.ports.ports)) assert.equal(typeof ep.ports[port], 'number', `${ep.id} has its "${port}" port`);
          const r = await system.probe(ep, AbortSignal.timeout(5000));
          assert.deepEqual(r, { ready: true }, `${ep.id} answers its probe`);
        }
      });

      test('the client does its ops: every op completes ok, fail or info; every kind succeeds', async () => {
        const next = workload.generator(new Rng(opts.seed ?? 1).fork('ops'));
        const outcomes = new Map<string, Record<Completion['type'], number>>();
        const bad: string[] = [];
        let issued = 0;
        // cut the last node off for the second half, where this runtime can partition this system
        const canPartition = nodes.length > 1 && runtime!.cannotServe(system.needs, ['partition']).length === 0;
        const cutOff = nodes[nodes.length - 1]!;
        let partitioned = false;
        let partitionedAt = 0;
        const worker = async (ep: NodeEndpoint) => {
          const client = clientOf(ep);
          while (issued < opCount) {
            const op = next();
            issued++;
            if (canPartition && !partitioned && issued >= opCount / 2) {
              partitioned = true;
              partitionedAt = performance.now();
              await runtime!.partition({ [cutOff]: nodes.filter((n) => n !== cutOff), ...Object.fromEntries(nodes.filter((n) => n !== cutOff).map((n) => [n, [cutOff]])) });
            }
            const done = await invokeSafely(client, op, abort.signal);
            if (!['ok', 'fail', 'info'].includes(done.type)) bad.push(`${op.f} on ${ep.id} completed as ${JSON.stringify(done.type)}`);
            if (typeof done.error === 'string' && done.error.startsWith('client threw')) bad.push(`${op.f} on ${ep.id}: ${done.error}`);
            const c = outcomes.get(op.f) ?? { ok: 0, fail: 0, info: 0 };
            c[done.type] = (c[done.type] ?? 0) + 1;
            outcomes.set(op.f, c);
          }
        };
        await Promise.all(endpoints.map(worker));
        // a burst takes well under a second: hold the partition long enough for peers' requests to time out
        if (partitioned) await new Promise((r) => setTimeout(r, Math.max(0, partitionedAt + (opts.partitionMs ?? 2000) - performance.now())));
        assert.deepEqual(bad, [], 'every op completes ok, fail or info');
        const never = [...outcomes].filter(([, c]) => c.ok === 0).map(([f, c]) => `${f} ${JSON.stringify(c)}`);
        assert.deepEqual(never, [], `every kind of op succeeded at least once (${JSON.stringify(Object.fromEntries(outcomes))})`);
      });

      test('final reads agree after heal', async () => {
        await runtime!.heal();
        let last: Map<string, Completion> = new Map();
        await waitFor('every node\'s final read to agree', async () => {
          await Promise.all(endpoints.map((ep) => clientOf(ep).sync?.(abort.signal).catch(() => {})));
          last = new Map(await Promise.all(endpoints.map(async (ep) => [ep.id, await clientOf(ep).finalRead(abort.signal)] as const)));
          return allAgree([...last.values()]);
        }, opts.convergeTimeoutMs ?? 20_000, 250).catch((e: Error) => {
          assert.fail(`${e.message}; last final reads: ${JSON.stringify(Object.fromEntries(last))}`);
        });
        for (const [id, done] of last) {
          const fr = done.value as FinalRead;
          assert.ok(fr && typeof fr === 'object' && 'state' in fr, `${id}: an ok final read is {state, digest?}`);
          if (fr.digest !== undefined) assert.equal(typeof fr.digest, 'string', `${id}: the digest is a string`);
          assert.equal(stateProblem(workload, fr.state), null, `${id}: the state has the shape the ${name} checkers read`);
        }
      });

      test('teardown leaves nothing behind', async () => {
        await closeClients();
        await runtime!.teardown();
        tornDown = true;
        await waitFor('no process mentioning the run folder', () => processesMentioning(runDir).length === 0, 10_000)
          .catch(() => assert.fail(`processes left: ${processesMentioning(runDir).join(', ')}`));
        if (opts.leftovers) assert.deepEqual(await opts.leftovers(runId), [], 'the runtime left nothing behind');
      });
    });
  }
}
