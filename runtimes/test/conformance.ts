/**
 * The runtime conformance suite: what every Runtime must do, observed from outside on a cluster
 * of the probe system (fixtures/probe-node.ts: its own flags and routes, no system's). A runtime's
 * test file calls `runtimeConformance(name, make, opts)` once; the tests run in order on one
 * cluster: start, partition shapes and heal, pause, kill and restart on the same data, clock and
 * link delay where the runtime says it can (cannotServe), and a teardown that leaves nothing.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Grudge, NodeEndpoint, Runtime } from '../../api/runtime.ts';
import { Rng } from '../../api/rng.ts';
import { PARTITION_SHAPES, partitionPlan } from '../../nemesis/shapes.ts';
import { PROBE_NEEDS } from './fixtures/probe-system.ts';
import { clock, getKey, health, putKey, reachable, readNodeFile } from './fixtures/probe-client.ts';
import { probeSpec, tempRunDir, waitFor } from './helpers.ts';

export interface ConformanceOptions {
  /** cluster size; default 5 (a majorities ring needs 5 to differ from halves) */
  nodes?: number;
  /** per-test bound; default 90 s */
  timeoutMs?: number;
  /**
   * the runtime's own leftovers check: called just before teardown (to note pids, containers,
   * ports...), it returns a check run after teardown that lists what is still there
   */
  leftovers?: (runtime: Runtime, runDir: string) => () => Promise<string[]>;
  /** test a wall-clock freeze too (Runtime.freezeClock); default: when the runtime has it */
  freeze?: boolean;
  /** skip the whole suite, saying why (e.g. no container engine answers) */
  skip?: string | false;
}

/** files every node's launch asks for (LaunchSpec.files), one in a subfolder */
const FILES = { 'probe.conf': 'written before the first start\n', 'conf.d/extra.conf': 'nested\n' };

/** b reaches a over TCP only when neither drops the other (a one-way drop stalls both directions) */
export function expectedReach(nodes: readonly string[], grudge: Grudge, from: string): string[] {
  return nodes.filter((to) => to !== from && !(grudge[from] ?? []).includes(to) && !(grudge[to] ?? []).includes(from)).sort();
}

export function runtimeConformance(name: string, make: () => Runtime | Promise<Runtime>, opts: ConformanceOptions = {}): void {
  const ids = Array.from({ length: opts.nodes ?? 5 }, (_, i) => `n${i + 1}`);
  const BOUND = { timeout: opts.timeoutMs ?? 90_000 };
  let run: { dir: string; remove: () => void };
  let rt: Runtime;
  let eps: Record<string, NodeEndpoint> = {};
  const can = (kind: string) => rt.cannotServe(PROBE_NEEDS, [kind]).length === 0;

  /** wait until every node reaches exactly the peers the grudge leaves it */
  async function assertReach(grudge: Grudge, what: string): Promise<void> {
    const want = Object.fromEntries(ids.map((id) => [id, expectedReach(ids, grudge, id)]));
    await waitFor(`${what}: every node to reach exactly ${JSON.stringify(want)}`, async () => {
      const got = Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await reachable(eps[id]!)] as const)));
      return ids.every((id) => JSON.stringify(got[id]) === JSON.stringify(want[id])) || (void 0);
    }, 20_000, 100);
  }

  if (opts.skip) {
    // one skipped test that carries the reason, so the run says why the suite did not run
    describe(`runtime conformance: ${name}`, () => { test.skip(`skipped: ${opts.skip}`, () => {}); });
    return;
  }
  describe(`runtime conformance: ${name}`, () => {
    beforeAll(async () => {
      run = tempRunDir(`conformance-${name}`);
      rt = await make();
      const list = await rt.setup(probeSpec(ids, run.dir, `conformance-${name}-${process.pid}`, { files: FILES }));
      eps = Object.fromEntries(list.map((e) => [e.id, e]));
    }, BOUND.timeout);

    afterAll(async () => {
      await rt?.teardown();
      run?.remove();
    }, BOUND.timeout);

    test('every node starts and answers; endpoints() names them all; LaunchSpec.files are in its data folder', BOUND, async () => {
      assert.deepEqual(Object.keys(eps).sort(), ids);
      assert.deepEqual(rt.endpoints().map((e) => e.id).sort(), ids);
      for (const id of ids) assert.equal((await health(eps[id]!)).name, id);
      for (const id of ids) for (const [f, text] of Object.entries(FILES)) assert.equal(await readNodeFile(eps[id]!, f), text, `${id}: ${f}`);
      await assertReach({}, 'fully connected at start');
    });

    const seeds = { halves: 3, one: 5, 'majorities-ring': 7, bridge: 11, 'one-way': 13, 'primary-minority': 17 } as const;
    for (const shape of PARTITION_SHAPES) {
      test(`partition ${shape} cuts exactly its links; heal restores them`, BOUND, async () => {
        const { grudge } = partitionPlan(shape, ids, new Rng(seeds[shape]));
        assert.ok(Object.keys(grudge).length > 0, `${shape} cuts nothing on ${ids.length} nodes`);
        await rt.partition(grudge);
        try {
          await assertReach(grudge, `partition ${shape}`);
        } finally {
          await rt.heal();
        }
        await assertReach({}, `heal after ${shape}`);
      });
    }

    test('a one-way grudge cuts that pair both ways (as DROP does to TCP), nothing else', BOUND, async () => {
      const grudge = { [ids[2]!]: [ids[0]!] };
      await rt.partition(grudge);
      try {
        await assertReach(grudge, 'one-way grudge');
      } finally {
        await rt.heal();
      }
      await assertReach({}, 'heal after the one-way grudge');
    });

    test('a paused node stops answering within a short timeout and answers after resume', BOUND, async () => {
      const n = ids[1]!;
      await rt.pause(n);
      try {
        await assert.rejects(health(eps[n]!, 700), /timeout/);
      } finally {
        await rt.resume(n);
      }
      assert.equal((await waitFor(`${n} to answer after resume`, () => health(eps[n]!, 2000))).name, n);
    });

    test('a killed node stops answering and restarts on the same data', BOUND, async () => {
      const n = ids[0]!;
      await putKey(eps[n]!, 'durable', 'kept');
      await rt.kill(n);
      await assert.rejects(health(eps[n]!, 1000));
      // restart it cut off from its peers: what it knows must come from its own data dir
      const others = ids.filter((x) => x !== n);
      await rt.partition({ [n]: others });
      try {
        await rt.restart(n);
        assert.equal((await health(eps[n]!)).name, n);
        assert.equal(await getKey(eps[n]!, 'durable'), 'kept', 'the restarted node lost its data');
      } finally {
        await rt.heal();
      }
      await assertReach({}, 'after the restart and heal');
    });

    test('a clock offset is seen by the node, and 0 brings it back', BOUND, async (t) => {
      if (!can('clock')) return t.skip(`${name} cannot reach the probe node's clock: ${rt.cannotServe(PROBE_NEEDS, ['clock']).join('; ')}`);
      const n = ids[0]!;
      const near = async (offset: number) => Math.abs((await clock(eps[n]!)) - Date.now() - offset) < 1000;
      for (const offset of [120_000, -45_000]) {
        await rt.setClockOffset(n, offset);
        await waitFor(`${n}'s clock to be ${offset} ms off`, () => near(offset), 10_000);
        assert.ok(Math.abs((await clock(eps[ids[1]!]!)) - Date.now()) < 1000, 'another node\'s clock moved too');
      }
      await rt.setClockOffset(n, 0);
      await waitFor(`${n}'s clock to be real again`, () => near(0), 10_000);
    });

    test('a frozen clock stands still until the next offset', BOUND, async (t) => {
      if (!rt.freezeClock || opts.freeze === false || !can('clock')) return t.skip(`${name} does not freeze clocks here`);
      const n = ids[0]!;
      const at = Date.now() - 3_600_000;
      try {
        await rt.freezeClock(n, at);
      } catch (e) {
        if (opts.freeze) throw e;
        return t.skip(`freeze refused: ${(e as Error).message}`);
      }
      try {
        const first = await waitFor(`${n}'s clock to stand at the frozen instant`, async () => { const c = await clock(eps[n]!); return Math.abs(c - at) < 1000 && c; }, 10_000);
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(await clock(eps[n]!), first, 'the frozen clock moved');
      } finally {
        await rt.setClockOffset(n, 0);
      }
      await waitFor(`${n}'s clock to run again`, async () => Math.abs((await clock(eps[n]!)) - Date.now()) < 1000, 10_000);
    });

    test('link delay into a node shows in the time a write takes to reach it', BOUND, async (t) => {
      if (!can('link')) return t.skip(`${name} cannot delay links of the probe system: ${rt.cannotServe(PROBE_NEEDS, ['link']).join('; ')}`);
      const into = ids[1]!;
      // delay every link into `into`, so the write has no faster detour
      for (const from of ids) if (from !== into) await rt.setLinkFault(from, into, { delayMs: 600 });
      try {
        const t0 = performance.now();
        await putKey(eps[ids[0]!]!, 'slow', 'late');
        await waitFor(`${into} to get the write over delayed links`, async () => (await getKey(eps[into]!, 'slow', 5000)) === 'late', 20_000, 10);
        const took = performance.now() - t0;
        assert.ok(took >= 600, `the write reached ${into} after ${took.toFixed(0)} ms over links delayed 600 ms`);
      } finally {
        await rt.clearLinkFaults();
      }
    });

    test('teardown leaves nothing behind, and may be called again', BOUND, async () => {
      const check = opts.leftovers?.(rt, run.dir);
      const last = rt.endpoints();
      await rt.teardown();
      await rt.teardown();
      for (const ep of last) await assert.rejects(health(ep, 1000), Error, `${ep.id} still answers after teardown`);
      assert.deepEqual(check ? await check() : [], [], 'left behind after teardown');
    });
  });
}
