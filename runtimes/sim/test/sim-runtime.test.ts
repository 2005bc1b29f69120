/**
 * The runtime conformance suite's properties (runtimes/test/conformance.ts), on the simulator. The
 * suite itself needs real processes (its probe system is an HTTP server); here a tiny probe core
 * (a pinger with a disk) plays it, and each property is checked through the same Runtime calls:
 * start, every partition shape cuts exactly its links and heal restores them, pause holds a node,
 * kill + restart keeps the synced data (and only it), clock offset and freeze, link delay, and a
 * teardown after which nothing of the cluster runs. Plus what only a simulator has: determinism.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { SimHost, SimNode, SimSystem } from '../../../api/sim.ts';
import type { SystemRun } from '../../../api/system.ts';
import type { ClusterSpec } from '../../../api/runtime.ts';
import { Rng } from '../../../api/rng.ts';
import { PARTITION_SHAPES, partitionPlan } from '../../../nemesis/shapes.ts';
import { expectedReach } from '../../test/conformance.ts';
import { SimRuntime } from '../runtime.ts';
import { Scheduler } from '../scheduler.ts';

/** the probe core: answers pings, records what it heard recently, keeps a counter on its disk */
const probe: SimSystem = {
  tickMs: 100,
  boot(host: SimHost): SimNode {
    const heard = new Map<string, number>();
    const disk = new TextDecoder().decode(host.disk.read());
    return {
      receive(from, msg) {
        const m = msg as { t: string };
        heard.set(from, host.monoNow());
        if (m.t === 'ping') host.send(from, { t: 'pong' });
      },
      linkUp() {},
      tick() { for (const p of host.peers) host.send(p, { t: 'ping' }); },
      request(req, reply) {
        const r = req as { t: string; data?: string };
        if (r.t === 'reach') reply([...heard].filter(([, at]) => host.monoNow() - at < 1000).map(([p]) => p).sort());
        else if (r.t === 'clock') reply(host.wallNow());
        else if (r.t === 'disk') reply(disk);
        else if (r.t === 'write') { host.disk.write(new TextEncoder().encode(r.data!)); if (r.data!.startsWith('sync')) host.disk.sync(() => reply('synced')); else reply('written'); }
        else reply(host.id);
      },
    };
  },
  client() { throw new Error('no clients in this test'); },
};

const ids = ['n1', 'n2', 'n3', 'n4', 'n5'];
const spec = { nodes: ids, system: 'probe' } as unknown as ClusterSpec;
const run = { nodes: ids } as unknown as SystemRun;
const never = new AbortController().signal;

/** one simulated cluster; `body` runs on simulated time */
async function withCluster(body: (rt: SimRuntime, ask: (n: string, req: unknown) => Promise<unknown>) => Promise<void>, seed = 1): Promise<void> {
  const rt = new SimRuntime({ seed });
  rt.attach(probe, run);
  const ask = async (n: string, req: unknown) => {
    const o = await rt.call(n, req, 2000, never);
    return o.kind === 'answer' ? o.answer : o.kind;
  };
  await rt.sched.run(async () => {
    await rt.setup(spec);
    await rt.sched.sleep(1500);
    await body(rt, ask);
    await rt.teardown();
  }, 600_000);
}

const reachOf = async (ask: (n: string, r: unknown) => Promise<unknown>): Promise<Record<string, string[]>> => Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await ask(id, { t: 'reach' }) as string[]] as const)));

describe('sim runtime: the conformance properties', () => {
  test('every node starts and answers; endpoints() names them all; fully connected', async () => {
    await withCluster(async (rt, ask) => {
      assert.deepEqual(rt.endpoints().map((e) => e.id), ids);
      for (const id of ids) assert.equal(await ask(id, { t: 'id' }), id);
      assert.deepEqual(await reachOf(ask), Object.fromEntries(ids.map((id) => [id, expectedReach(ids, {}, id)])));
    });
  });

  test('each partition shape cuts exactly its links; heal restores them; a one-way cut drops one direction', async () => {
    await withCluster(async (rt, ask) => {
      for (const shape of PARTITION_SHAPES) {
        const { grudge } = partitionPlan(shape, ids, new Rng(7));
        await rt.partition(grudge);
        await rt.sched.sleep(1500);
        // a node hears a peer when the peer's pings reach it: b hears a unless b drops a, so a
        // one-way grudge cuts one direction only (over TCP it would stall both: expectedReach)
        const want = Object.fromEntries(ids.map((b) => [b, ids.filter((a) => a !== b && !(grudge[b] ?? []).includes(a)).sort()]));
        if (Object.entries(grudge).every(([b, from]) => from.every((a) => (grudge[a] ?? []).includes(b)))) {
          assert.deepEqual(want, Object.fromEntries(ids.map((id) => [id, expectedReach(ids, grudge, id)])), `${shape} is symmetric`);
        }
        const got = await reachOf(ask);
        assert.deepEqual(got, want, `${shape}: ${JSON.stringify(grudge)} got ${JSON.stringify(got)}`);
        await rt.heal();
        await rt.sched.sleep(1500);
        assert.deepEqual(await reachOf(ask), Object.fromEntries(ids.map((id) => [id, expectedReach(ids, {}, id)])), `${shape} healed`);
      }
      await rt.partition({ n1: ['n2'] });
      await rt.sched.sleep(1500);
      const got = await reachOf(ask);
      assert.ok(!got.n1.includes('n2') && got.n2.includes('n1'), JSON.stringify(got));
      await rt.heal();
    });
  });

  test('pause holds a node (requests wait, a short timeout expires); resume answers', async () => {
    await withCluster(async (rt, ask) => {
      await rt.pause('n2');
      assert.equal(await ask('n2', { t: 'id' }), 'timeout');
      const later = ask('n2', { t: 'id' });
      await rt.sched.sleep(500);
      await rt.resume('n2');
      assert.equal(await later, 'n2');
    });
  });

  test('kill refuses; restart on the same disk keeps what was synced, loses what was not', async () => {
    await withCluster(async (rt, ask) => {
      assert.equal(await ask('n3', { t: 'write', data: 'sync-1;' }), 'synced');
      assert.equal(await ask('n3', { t: 'write', data: 'lost' }), 'written');
      await rt.kill('n3');
      assert.equal(await ask('n3', { t: 'id' }), 'refused');
      await rt.restart('n3');
      const disk = String(await ask('n3', { t: 'disk' }));
      assert.ok(disk.startsWith('sync-1;'), disk);
      assert.ok(disk.length < 'sync-1;lost'.length, `the unsynced write survived whole: ${disk}`);
      await rt.sched.sleep(1500);
      assert.deepEqual((await reachOf(ask)).n1, expectedReach(ids, {}, 'n1'));
    });
  });

  test('clock offset and freeze move the wall clock only of that node; monotonic time runs on', async () => {
    await withCluster(async (rt, ask) => {
      const c1 = Number(await ask('n1', { t: 'clock' }));
      await rt.setClockOffset('n4', 60_000);
      const c4 = Number(await ask('n4', { t: 'clock' }));
      assert.ok(c4 - c1 >= 59_990 && c4 - c1 <= 60_010, `${c4 - c1}`);
      await rt.freezeClock('n4', 1_000);
      await rt.sched.sleep(700);
      assert.equal(await ask('n4', { t: 'clock' }), 1_000);
      await rt.setClockOffset('n4', 0);
      assert.ok(Math.abs(Number(await ask('n4', { t: 'clock' })) - Number(await ask('n1', { t: 'clock' }))) < 5);
    });
  });

  test('link delay slows one directed link; clearing it restores the latency', async () => {
    await withCluster(async (rt) => {
      const base = rt.net.latency('n1', 'n2');
      await rt.setLinkFault('n1', 'n2', { delayMs: 300, jitterMs: 10 });
      assert.ok(rt.net.latency('n1', 'n2') >= 300 && rt.net.latency('n2', 'n1') < 100);
      await rt.clearLinkFaults();
      assert.ok(rt.net.latency('n1', 'n2') < base + 100);
    });
  });

  test('teardown leaves nothing running: no node answers, no timer of a node fires', async () => {
    const rt = new SimRuntime({ seed: 3 });
    rt.attach(probe, run);
    await rt.sched.run(async () => { await rt.setup(spec); await rt.sched.sleep(500); await rt.teardown(); }, 60_000);
    for (const id of ids) assert.equal(rt.stateOf(id), 'down');
    const events = rt.sched.events;
    await rt.sched.run(() => rt.sched.sleep(5000), 600_000);
    assert.ok(rt.sched.events - events < 20, 'node timers still fire after teardown');
  });
});

describe('scheduler', () => {
  test('events run in time order, ties in scheduling order; sleep wakes at its time', async () => {
    const s = new Scheduler();
    const seen: string[] = [];
    await s.run(async () => {
      s.after(5, () => { seen.push('b'); });
      s.after(1, () => { seen.push('a'); });
      s.after(5, () => { seen.push('c'); });
      await s.sleep(10);
      seen.push(`woke ${s.now}`);
    }, 100);
    assert.deepEqual(seen, ['a', 'b', 'c', 'woke 10']);
  });

  test('property: any mix of delays, also scheduled from inside events, runs sorted by (time, scheduling order)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 3 })), { minLength: 1, maxLength: 200 }), async (plan) => {
      const s = new Scheduler();
      const ran: [number, number][] = [];
      let order = 0;
      const at = (ms: number, inner: number[]) => {
        const key = order++;
        const t = s.now + ms;
        s.after(ms, () => { ran.push([t, key]); for (const d of inner) at(d, []); });
      };
      await s.run(async () => {
        for (const [ms, inner] of plan) at(ms, inner);
        await s.sleep(100);
      }, 1000);
      const sorted = [...ran].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      assert.deepEqual(ran, sorted);
      assert.equal(ran.length, plan.reduce((n, [, inner]) => n + 1 + inner.length, 0));
    }), { seed: 41, numRuns: 200 });
  });
});
