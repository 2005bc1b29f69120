import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { Rng } from '../../../api/rng.ts';
import { runNames, runTag } from '../names.ts';
import { planSubnet } from '../subnet.ts';
import { bridgeUp, faultsFor, forwardRule, inNs, nodeUp, runDown } from '../plan.ts';
import { oneWay, oneWayGrudge } from '../../../nemesis/shapes.ts';

describe('netns names', () => {
  test('derive from the run id, fit Linux interface names, differ between runs', () => {
    const n = runNames('bank-partition-1700000000000', ['n1', 'n2', 'n3']);
    assert.equal(n.tag, runTag('bank-partition-1700000000000'));
    assert.match(n.tag, /^[0-9a-f]{8}$/);
    assert.equal(n.ns.n2, `sb-${n.tag}-n2`);
    for (const dev of [n.bridge, ...Object.values(n.hostVeth)]) assert.ok(dev.length <= 15, dev);
    assert.notEqual(runNames('other-run', ['n1']).tag, n.tag);
    assert.ok(runNames('x', Array.from({ length: 240 }, (_, i) => `n${i}`)).hostVeth.n239!.length <= 15);
  });
});

describe('netns subnet', () => {
  test('skips every subnet the machine routes and gives the bridge .1, nodes .10+', () => {
    const first = planSubnet('r', ['a', 'b'], []);
    const again = planSubnet('r', ['a', 'b'], [first.subnet, '10.213.0.0/16']);
    assert.notEqual(again.subnet, first.subnet);
    assert.match(again.gateway, /\.1$/);
    assert.deepEqual(Object.values(again.ips).map((ip) => ip.split('.')[3]), ['10', '11']);
    assert.throws(() => planSubnet('r', ['a'], ['10.0.0.0/8']), /overlaps a route/);
  });
});

describe('netns plan', () => {
  const names = runNames('run-1', ['n1', 'n2']);
  const net = planSubnet('run-1', ['n1', 'n2'], []);

  test('the only root-namespace rule is the bridge-to-bridge FORWARD accept, removed by runDown', () => {
    const up = bridgeUp(names, net).map((c) => c.argv.join(' '));
    assert.ok(up.includes(`iptables -w -I FORWARD 1 ${forwardRule(names).join(' ')}`));
    const down = runDown(names).map((c) => c.argv.join(' '));
    assert.ok(down.includes(`iptables -w -D FORWARD ${forwardRule(names).join(' ')}`));
    assert.ok(down.includes(`ip link del ${names.bridge}`));
    for (const ns of Object.values(names.ns)) assert.ok(down.includes(`ip netns del ${ns}`));
  });

  test('a node gets its namespace, a veth into the bridge, its address, loopback up', () => {
    const cmds = nodeUp(names, net, 'n2').map((c) => c.argv.join(' '));
    assert.ok(cmds.includes(`ip netns add ${names.ns.n2}`));
    assert.ok(cmds.includes(`ip -n ${names.ns.n2} addr add ${net.ips.n2}/24 dev eth0`));
    assert.ok(cmds.includes(`ip -n ${names.ns.n2} link set lo up`));
    assert.ok(cmds.some((c) => c.startsWith(`ip netns exec ${names.ns.n2} iptables-restore -w`)));
  });

  test('a one-way grudge drops only in the receiver, only from the sender', () => {
    const grudge = oneWayGrudge(['n1'], ['n2']);
    assert.deepEqual(grudge, { n2: ['n1'] });
    const rules = (id: string) => faultsFor(names, id, grudge, new Map(), net.ips, 'htb').iptables.stdin!;
    assert.match(rules('n2'), new RegExp(`-A SB_PART -s ${net.ips.n1}/32 -j DROP`));
    assert.doesNotMatch(rules('n1'), /-j DROP/);
  });

  test('loss is iptables statistic in the receiver; delay is tc on the sender; none refuses tc', () => {
    const links = new Map([['n1->n2', { delayMs: 50, loss: 0.25 }]]);
    const to = faultsFor(names, 'n2', {}, links, net.ips, 'htb');
    assert.match(to.iptables.stdin!, /-m statistic --mode random --probability 0.250000 -j DROP/);
    const from = faultsFor(names, 'n1', {}, links, net.ips, 'htb');
    assert.ok(from.tc.some((c) => c.argv.includes('htb') && c.argv.includes('rate')));
    assert.deepEqual(faultsFor(names, 'n1', {}, links, net.ips, 'none').tc, []);
    assert.deepEqual(inNs('x', { argv: ['tc', 'qdisc'] }).argv, ['ip', 'netns', 'exec', 'x', 'tc', 'qdisc']);
  });
});

describe('one-way partition shape', () => {
  test('splits the nodes; one side stops reaching the other, never both ways', () => {
    for (let seed = 1; seed < 20; seed++) {
      const p = oneWay(['n1', 'n2', 'n3', 'n4', 'n5'], new Rng(seed));
      assert.equal(p.from.length + p.to.length, 5);
      for (const [b, as] of Object.entries(p.grudge)) {
        assert.ok(p.to.includes(b));
        for (const a of as) assert.ok(!(p.grudge[a] ?? []).includes(b), 'symmetric cut');
      }
    }
  });
});
