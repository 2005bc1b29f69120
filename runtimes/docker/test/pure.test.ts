// Pure parts of the docker runtime: address planning, ldd parsing, fault → command translation,
// faketime syntax, docker log demultiplexing. No engine needed.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { overlaps, parseCidr, parseProcNetRoute, planSubnet } from '../subnet.ts';
import { parseLdd } from '../ldd.ts';
import { iptablesFor, shapingRate, tcFor } from '../netplan.ts';
import { faketimeFrozenSpec, faketimeSpec } from '../../faketime.ts';
import { demux } from '../runtime.ts';

test('planSubnet gives each node a distinct address inside a free 10.213.k.0/24', () => {
  const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
  fc.assert(fc.property(fc.string(), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 200 }), (runId, used) => {
    const taken = used.map((k) => `10.213.${k}.0/24`);
    const plan = planSubnet(runId, nodes, taken);
    const net = parseCidr(plan.subnet);
    assert.ok(!taken.some((t) => overlaps(parseCidr(t), net)), `${plan.subnet} clashes with a taken subnet`);
    const ips = nodes.map((n) => plan.ips[n]!);
    assert.equal(new Set([...ips, plan.gateway]).size, nodes.length + 1);
    for (const ip of ips) assert.ok(overlaps(parseCidr(ip), net));
  }));
});

test('planSubnet fails with advice when a host route covers all of 10.213/16', () => {
  assert.throws(() => planSubnet('r', ['n1'], ['10.0.0.0/8']), /cluster down --all/);
});

test('planSubnet is stable for a run id', () => {
  assert.deepEqual(planSubnet('abc', ['n1'], []), planSubnet('abc', ['n1'], []));
});

test('overlaps compares on the shorter prefix', () => {
  assert.ok(overlaps(parseCidr('10.213.4.0/24'), parseCidr('10.213.0.0/16')));
  assert.ok(!overlaps(parseCidr('10.213.4.0/24'), parseCidr('10.213.5.0/24')));
  assert.throws(() => parseCidr('10.1.2.300/24'));
});

test('parseProcNetRoute reads little-endian routes and skips the default route', () => {
  const text = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
    'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
  ].join('\n');
  assert.deepEqual(parseProcNetRoute(text), ['172.17.0.0/16', '192.0.2.0/24']);
});

test('parseLdd keeps resolved paths and the loader, drops the vdso', () => {
  const out = [
    '\tlinux-vdso.so.1 (0x00007fbf85049000)',
    '\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007fbf85032000)',
    '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007fbf84b1e000)',
    '\t/lib64/ld-linux-x86-64.so.2 (0x00007fbf8504b000)',
  ].join('\n');
  assert.deepEqual(parseLdd(out), ['/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libdl.so.2', '/lib64/ld-linux-x86-64.so.2']);
});

const ips = { n1: '10.213.9.10', n2: '10.213.9.11', n3: '10.213.9.12' };

test('iptablesFor drops exactly the grudged senders in the receiver, and loss on incoming links', () => {
  const links = new Map([['n1->n2', { loss: 0.25 }], ['n2->n3', { loss: 0.5 }], ['n3->n2', { delayMs: 10 }]]);
  const r = iptablesFor('n2', { n2: ['n1', 'n3'], n3: ['n1'] }, links, ips);
  assert.deepEqual(r.argv, ['iptables-restore', '--noflush']);
  const rules = r.stdin!.split('\n').filter((l) => l.startsWith('-A'));
  assert.deepEqual(rules, [
    '-A SB_PART -s 10.213.9.10/32 -j DROP',
    '-A SB_PART -s 10.213.9.12/32 -j DROP',
    '-A SB_LINK -s 10.213.9.10/32 -m statistic --mode random --probability 0.250000 -j DROP',
  ]);
  // flushes come first, so the same call also heals
  assert.match(r.stdin!, /^\*filter\n-F SB_PART\n-F SB_LINK\n/);
  assert.throws(() => iptablesFor('n1', { n1: ['n9'] }, new Map(), ips), /unknown node n9/);
});

test('tcFor shapes only the sender\'s delayed links; netem when present, htb rate otherwise', () => {
  const links = new Map([['n1->n2', { delayMs: 100, jitterMs: 5 }], ['n1->n3', { loss: 0.5 }], ['n2->n1', { delayMs: 50 }]]);
  const withNetem = tcFor('n1', links, ips, true).map((c) => c.argv.join(' '));
  assert.ok(withNetem.some((c) => c.includes('netem delay 100ms 5ms')));
  assert.ok(withNetem.some((c) => c.includes('match ip dst 10.213.9.11/32')));
  assert.ok(!withNetem.some((c) => c.includes('10.213.9.12')), 'loss-only link needs no qdisc');
  const noNetem = tcFor('n1', links, ips, false).map((c) => c.argv.join(' '));
  assert.ok(!noNetem.some((c) => c.includes('netem')));
  assert.ok(noNetem.some((c) => c.includes(`rate ${shapingRate(100)}bit`)));
  assert.deepEqual(tcFor('n3', links, ips, false).map((c) => c.argv.join(' ')), ['tc qdisc del dev eth0 root']);
});

test('shapingRate: one 1500-byte packet takes about delayMs to serialise', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), (d) => {
    const ms = (1500 * 8 * 1000) / shapingRate(d);
    assert.ok(Math.abs(ms - d) / d < 0.01 || shapingRate(d) === 8000);
  }));
});

test('libfaketime specs: signed seconds for an offset, a UTC instant for a container freeze', () => {
  assert.equal(faketimeSpec(0), '+0.000s');
  assert.equal(faketimeSpec(120000), '+120.000s');
  assert.equal(faketimeSpec(-2500), '-2.500s');
  assert.equal(faketimeFrozenSpec(Date.UTC(2026, 10, 21, 12, 0, 5, 73), { utc: true }), '2026-11-21 12:00:05.0735');
});

test('demux strips docker\'s 8-byte frame headers from both streams', () => {
  const frame = (s: number, text: string) => {
    const b = Buffer.from(text);
    const h = Buffer.alloc(8); h[0] = s; h.writeUInt32BE(b.length, 4);
    return Buffer.concat([h, b]);
  };
  assert.equal(demux(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'more')])), 'out\nerr\nmore');
});

test('clock way from a system\'s needs: libfaketime when it reaches the clock and is there, else the offset file, else none', async () => {
  const { clockWay, clockProblem, DockerRuntime } = await import('../runtime.ts');
  const needs = (libfaketime: boolean, clockOffsetFile: boolean) => ({ dialsGivenPeerAddresses: true, libfaketime, clockOffsetFile });
  assert.equal(clockWay(needs(true, true), true), 'libfaketime');
  assert.equal(clockWay(needs(true, true), false), 'offset-file');
  assert.equal(clockWay(needs(false, true), true), 'offset-file');
  assert.equal(clockWay(needs(true, false), false), 'none');
  assert.equal(clockWay(needs(false, false), true), 'none');
  assert.equal(clockProblem(needs(false, true), false), null);
  assert.match(clockProblem(needs(true, false), false)!, /apt-get install libfaketime/);
  assert.match(clockProblem(needs(false, false), true)!, /no clock-offset file/);
  const rt = new DockerRuntime({ log: () => {} });
  // iptables partitions and tc reach any system, whichever peer addresses it dials
  assert.deepEqual(rt.cannotServe({ ...needs(false, false), dialsGivenPeerAddresses: false }, ['partition', 'link', 'kill', 'pause']), []);
  assert.deepEqual(rt.cannotServe(needs(false, true), ['clock']), []);
  const lines = rt.cannotServe(needs(false, false), ['partition', 'clock']);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^clock faults cannot reach this system on docker: /);
});
