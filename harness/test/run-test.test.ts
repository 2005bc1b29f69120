/**
 * The runner's phases with a fake runtime, workload and nemesis (no processes): the order of the
 * phases in the history, the process model under random outcomes, healing, and final-read rounds.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { runTest } from '../runner/run-test.ts';
import { HistoryRecorder } from '../history/recorder.ts';
import { HarnessLog } from '../runner/harness-log.ts';
import { processModelViolations } from '../history/process-model.ts';
import { resolveRunConfig } from '../config/run-config.ts';
import { Rng } from '../../api/rng.ts';
import type { Runtime, NodeEndpoint } from '../../api/runtime.ts';
import type { Nemesis, NemesisContext } from '../../api/fault.ts';
import type { WorkloadInstance, Completion } from '../../api/workload.ts';
import type { System } from '../../api/system.ts';

function fakeRuntime(): Runtime & { torn: number } {
  let eps: NodeEndpoint[] = [];
  const noop = async () => {};
  return {
    torn: 0,
    info: { name: 'local', mechanisms: {} },
    cannotServe: () => [],
    async setup(o) { eps = o.nodes.map((id) => ({ id, host: '127.0.0.1', ports: { client: 9 } })); return eps; },
    async teardown() { this.torn++; },
    endpoints: () => eps,
    kill: noop, restart: noop, pause: noop, resume: noop, partition: noop, heal: noop,
    setClockOffset: noop, setLinkFault: noop, clearLinkFaults: noop, logPath: () => '',
  };
}

const fakeWorkload: WorkloadInstance = {
  name: 'fake', params: {}, checkParams: {},
  generator: (r) => () => ({ f: r.pick(['read', 'write']), value: r.int(0, 9) }),
  checks: () => [],
};

/** outcomes drawn from a seeded stream; final reads agree unless `diverged` names a node */
function fakeSystem(seed: number, diverged?: string): System {
  const rng = new Rng(seed);
  return {
    name: 'fake', description: '', runtimes: ['local'], programs: [], ports: { ports: { client: 1 }, peer: [] },
    needs: { dialsGivenPeerAddresses: true, libfaketime: true, clockOffsetFile: false },
    launch: () => { throw new Error('the fake runtime launches nothing'); },
    probe: async () => ({ ready: true }),
    workloads: {
      fake: {
        expect: () => ({}),
        client: ({ node }) => ({
          async invoke(op): Promise<Completion> {
            await new Promise((r) => setTimeout(r, rng.int(0, 3)));
            return { type: rng.pick(['ok', 'ok', 'fail', 'info'] as const), value: op.value };
          },
          async finalRead(): Promise<Completion> {
            return { type: 'ok', value: { state: { x: node.id === diverged ? 2 : 1 }, digest: 'r' } };
          },
        }),
      },
    },
  };
}

function fakeNemesis(): Nemesis & { heals: number } {
  let on = false;
  return {
    heals: 0,
    async run(ctx, signal) {
      ctx.record({ type: 'info', process: 'nemesis', f: 'start-partition', value: null });
      ctx.record({ type: 'info', process: 'nemesis', f: 'start-partition', value: 'halves' });
      on = true;
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    },
    async healAll(ctx) {
      this.heals++;
      if (on) { ctx.record({ type: 'info', process: 'nemesis', f: 'stop-partition', value: null }); on = false; }
    },
    active: () => (on ? ['partition halves'] : []),
  };
}

async function run(opts: { seed: number; concurrency: number; nodes: number; diverged?: string; recovery?: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-runner-'));
  try {
    const config = resolveRunConfig({ workload: 'bank', nodes: String(opts.nodes), concurrency: String(opts.concurrency), 'time-limit': '0.3', rate: '300', seed: String(opts.seed), 'recovery-time': String(opts.recovery ?? 1), 'op-timeout': '0.5' });
    const recorder = new HistoryRecorder(join(dir, 'history.jsonl'));
    const runtime = fakeRuntime();
    const nemesis = fakeNemesis();
    const log = new HarnessLog(() => {});
    const nemesisCtx: NemesisContext = { runtime, nodes: [], rng: new Rng(1), record: (op) => recorder.record({ ...op, process: 'nemesis' }), log: () => {} };
    const phases: string[] = [];
    const result = await runTest({ config, runtime, system: fakeSystem(opts.seed, opts.diverged), workload: fakeWorkload, nemesis, nemesisCtx, recorder, log, runDir: dir, runId: 't', interrupt: new AbortController().signal, onPhase: (p) => phases.push(p) });
    recorder.close();
    return { result, ops: recorder.ops, phases, nemesis };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('phases in order; client ops before the heal marker, final reads after; the process model holds', async () => {
  await fc.assert(fc.asyncProperty(fc.nat(1000), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), async (seed, concurrency, nodes) => {
    const { result, ops, phases, nemesis } = await run({ seed, concurrency, nodes });
    assert.deepEqual(phases, ['setup', 'main', 'heal', 'recovery', 'done']);
    assert.equal(nemesis.heals, 1);
    assert.ok(result.converged);
    assert.deepEqual(processModelViolations(ops, concurrency), []);
    const heal = ops.findIndex((o) => o.f === 'heal');
    assert.ok(ops.findIndex((o) => o.f === 'stop-partition') < heal, 'faults stop before the heal marker');
    for (const o of ops) {
      if (o.process === 'nemesis') continue;
      if (o.f === 'final-read') assert.ok(o.index > heal);
      else assert.ok(o.index < heal, `client op ${o.index} after the heal marker`);
    }
    const finals = ops.filter((o) => o.f === 'final-read' && o.type === 'ok');
    assert.deepEqual(finals.map((o) => o.node).sort(), Array.from({ length: nodes }, (_, i) => `n${i + 1}`));
  }), { numRuns: 8 });
});

test('nodes that never agree: final reads poll round after round until the recovery time is out', async () => {
  const { result, ops } = await run({ seed: 3, concurrency: 2, nodes: 3, diverged: 'n2', recovery: 0.6 });
  assert.equal(result.converged, false);
  assert.ok(result.finalRounds > 1);
  assert.equal(ops.filter((o) => o.f === 'final-read' && o.type === 'ok' && o.node === 'n2').length, result.finalRounds);
  assert.deepEqual(processModelViolations(ops, 2), []);
});
