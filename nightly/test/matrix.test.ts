import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MatrixError, cellArgv, expandMatrix, parseMatrix, skippedRuntimes } from '../matrix.ts';

test('expansion is the product of workloads × nemeses × available runtimes × seeds, ids unique', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.constantFrom('bank', 'lww', 'history'), { minLength: 1 }),
      fc.uniqueArray(fc.constantFrom('none', 'partition', 'kill', 'partition,clock'), { minLength: 1 }),
      fc.uniqueArray(fc.constantFrom('local', 'docker'), { minLength: 1 }),
      fc.uniqueArray(fc.nat(1000), { minLength: 1, maxLength: 3 }),
      fc.nat(2),
      (workloads, nemeses, runtimes, seeds, freshSeeds) => {
        const m = parseMatrix(JSON.stringify({ workloads, nemeses, runtimes, seeds, freshSeeds }));
        let next = 5000;
        const cells = expandMatrix(m, ['local'], () => next++);
        const onLocal = runtimes.includes('local') ? 1 : 0;
        assert.equal(cells.length, workloads.length * nemeses.length * onLocal * (seeds.length + freshSeeds));
        assert.equal(new Set(cells.map((c) => c.id)).size, cells.length);
        assert.ok(cells.every((c) => c.runtime === 'local'));
        assert.equal(cells.filter((c) => c.fresh).length, workloads.length * nemeses.length * onLocal * freshSeeds);
      },
    ),
  );
});

test('unavailable runtimes are reported with their reason', () => {
  const m = parseMatrix('workloads: [bank]\nnemeses: [none]\nruntimes: [docker, local]\n');
  assert.deepEqual(skippedRuntimes(m, { local: true, docker: 'no docker engine answers' }), [
    { runtime: 'docker', why: 'no docker engine answers' },
  ]);
});

test('extra cells carry their node args into the harness argv', () => {
  const m = parseMatrix(`
workloads: [bank]
nemeses: [none]
runtimes: [local]
seeds: [7]
timeLimitS: 4
nodes: 3
extraCells:
  - { name: bug, workload: history, nemesis: partition, nodeArgs: "--unsafe-no-anti-entropy", timeLimitS: 9 }
`);
  const cells = expandMatrix(m, ['local'], () => 1);
  const bug = cells.find((c) => c.id === 'bug-local-s7');
  assert.ok(bug);
  const argv = cellArgv(bug!, m, '/tmp/s');
  assert.deepEqual(argv.slice(0, 15), [
    'run', '--workload', 'history', '--nemesis', 'partition', '--runtime', 'local', '--seed', '7',
    '--time-limit', '9', '--nodes', '3', '--store', '/tmp/s',
  ]);
  // the other cells keep the matrix's time limit
  assert.equal(cellArgv(cells.find((c) => c.id !== bug!.id)!, m, '/tmp/s')[10], '4');
  assert.ok(argv.includes('--node-args=--unsafe-no-anti-entropy'));
});

test('a bad matrix names the bad field', () => {
  const cases: [string, RegExp][] = [
    ['workloads: []\nnemeses: [none]\n', /field "workloads"/],
    ['workloads: [bank]\nnemeses: [none]\nruntimes: [kubernetes]\n', /field "runtimes\.0"/],
    ['workloads: [bank]\nnemeses: [none]\ntimeLimitS: -1\n', /field "timeLimitS"/],
    ['workloads: [bank]\nnemeses: [none]\nwhoops: 1\n', /whoops/],
    ['workloads: [bank\n', /not valid YAML/],
    ['workloads: [bank]\nnemeses: [none]\nextraCells: [{name: a, workload: bank, nemesis: none}, {name: a, workload: bank, nemesis: none}]\n', /duplicate name "a"/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseMatrix(text, 'm.yaml'), (e: unknown) => e instanceof MatrixError && re.test((e as Error).message) && (e as Error).message.startsWith('m.yaml: '));
  }
});
