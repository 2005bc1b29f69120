import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, type NodeConfig } from './config.ts';

const base = ['--id', 'n1', '--listen', '127.0.0.1:7001', '--http', '127.0.0.1:8001'];

test('flags give a full config with defaults', () => {
  const c = loadConfig([...base, '--peers', 'n2@127.0.0.1:7002,n3@127.0.0.1:7003', '--unsafe-no-fsync']) as NodeConfig;
  assert.deepEqual(c.peers, [{ id: 'n2', addr: '127.0.0.1:7002' }, { id: 'n3', addr: '127.0.0.1:7003' }]);
  assert.equal(c.fsync, 'always');
  assert.equal(c.accounts, 8);
  assert.equal(c.initialBalance, 10);
  assert.equal(c.heartbeatIntervalMs, 200);
  assert.equal(c.unsafe.noFsync, true);
  assert.equal(c.unsafe.noAntiEntropy, false);
  assert.equal(c.compactAfterOps, 20_000);
  assert.equal((loadConfig([...base, '--compact-after', '0']) as NodeConfig).compactAfterOps, 0, '0 turns compaction off');
});

test('YAML config, with flags taking precedence', () => {
  const yaml = 'id: n9\nlisten: 127.0.0.1:7009\nhttp: 127.0.0.1:8009\npeers: [n2@127.0.0.1:7002]\naccounts: 3\nfsync: interval\nunsafeNoAntiEntropy: true\n';
  const c = loadConfig(['--config', 'node.yaml', '--accounts', '5'], () => yaml) as NodeConfig;
  assert.equal(c.id, 'n9'); assert.equal(c.accounts, 5); assert.equal(c.fsync, 'interval');
  assert.equal(c.unsafe.noAntiEntropy, true);
  assert.deepEqual(c.peers, [{ id: 'n2', addr: '127.0.0.1:7002' }]);
});

test('every bad input is one ConfigError naming the problem', () => {
  const cases: [string[], RegExp][] = [
    [['--listen', '127.0.0.1:7001', '--http', '127.0.0.1:8001'], /--id is required/],
    [[...base, '--bogus'], /unknown flag --bogus/],
    [[...base, '--fsync', 'sometimes'], /--fsync must be always, interval or never/],
    [[...base, '--accounts', '-1'], /--accounts must be an integer in 1\.\./],
    [[...base, '--accounts'], /--accounts needs a value/],
    [[...base, '--peers', 'n2'], /is not id@host:port/],
    [[...base, '--peers', 'n2@nowhere'], /not a host:port address/],
    [['--id', 'n1', '--listen', 'x', '--http', '127.0.0.1:8001'], /--listen: "x" is not a host:port/],
    [[...base, 'stray'], /unexpected argument "stray"/],
    [[...base, '--compact-after', '-5'], /--compact-after must be an integer in 0\.\./],
    [[...base, '--config', 'missing.yaml'], /cannot read --config missing.yaml/],
  ];
  for (const [argv, re] of cases) {
    assert.throws(() => loadConfig(argv, (p) => { throw Object.assign(new Error('nope'), { code: 'ENOENT', path: p }); }), (e: unknown) => e instanceof ConfigError && re.test(e.message), argv.join(' '));
  }
  assert.throws(() => loadConfig(['--config', 'x.yaml'], () => 'id: [unclosed'), /not valid YAML/);
  assert.throws(() => loadConfig(['--config', 'x.yaml'], () => 'color: blue'), /unknown setting "color"/);
});
