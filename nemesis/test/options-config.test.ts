// --kill-targets and --clock-mode as the CLI and config files take them: defaults, validation with
// a message that lists the valid values, and the repeat command carrying a non-default choice.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { resolveRunConfig, reproduceCommand } from '../../harness/config/run-config.ts';
import { CLOCK_MODES, KILL_TARGETS } from '../index.ts';

test('defaults are mixed, and the repeat command leaves them out', () => {
  const c = resolveRunConfig({ workload: 'history', nemesis: 'kill,clock' });
  assert.equal(c.killTargets, 'mixed');
  assert.equal(c.clockMode, 'mixed');
  const argv = reproduceCommand(c, 'local');
  assert.ok(!argv.includes('--kill-targets') && !argv.includes('--clock-mode'));
});

test('every value is accepted from a flag or a config key; the repeat command keeps it', () => {
  for (const k of KILL_TARGETS) assert.equal(resolveRunConfig({ workload: 'history', 'kill-targets': k }).killTargets, k);
  for (const m of CLOCK_MODES) assert.equal(resolveRunConfig({ workload: 'lww' }, { 'clock-mode': m }).clockMode, m);
  const c = resolveRunConfig({ workload: 'lww', nemesis: 'kill,clock', 'kill-targets': 'all' }, { 'clock-mode': 'freeze' });
  const argv = reproduceCommand(c, 'local');
  assert.equal(argv[argv.indexOf('--kill-targets') + 1], 'all');
  assert.equal(argv[argv.indexOf('--clock-mode') + 1], 'freeze');
});

test('an unknown value is a usage error naming the flag (or config field) and the valid values', () => {
  assert.throws(() => resolveRunConfig({ workload: 'history', 'kill-targets': 'half' }),
    (e: Error) => /--kill-targets/.test(e.message) && /"half"/.test(e.message) && KILL_TARGETS.every((k) => e.message.includes(k)));
  assert.throws(() => resolveRunConfig({ workload: 'lww' }, { 'clock-mode': 'melt' }, 'run.yaml'),
    (e: Error) => /run\.yaml: field "clock-mode"/.test(e.message) && CLOCK_MODES.every((m) => e.message.includes(m)));
});
