import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

// The workflow files are configuration nobody runs locally: parse them and check that the jobs
// and steps the nightly depends on are there, so an edit cannot silently drop one.
interface Step { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown> }
interface Workflow { on: Record<string, unknown>; jobs: Record<string, { 'runs-on': string; steps: Step[] }> }

const load = (p: string) => parse(readFileSync(new URL(`../../.github/workflows/${p}`, import.meta.url), 'utf8')) as Workflow;
const runs = (steps: Step[]) => steps.map((s) => s.run ?? '').join('\n');

test('nightly-chaos: scheduled and on demand, runs the matrix on docker, uploads the store', () => {
  const wf = load('nightly-chaos.yml');
  assert.ok(Array.isArray(wf.on.schedule) && (wf.on.schedule as { cron: string }[])[0]!.cron.split(' ').length === 5, 'has a cron schedule');
  assert.ok('workflow_dispatch' in wf.on, 'runnable on demand');
  const steps = wf.jobs.chaos!.steps;
  assert.ok(steps.some((s) => s.uses?.startsWith('actions/checkout@')));
  assert.ok(steps.some((s) => s.uses?.startsWith('actions/setup-node@')));
  assert.match(runs(steps), /npm ci/);
  assert.match(runs(steps), /docker info/, 'checks the docker engine answers before the matrix');
  assert.match(runs(steps), /npm run nightly/);
  // only unexpected results fail the job: exit 2 (unknown) is turned into success, exit 1 propagates
  const matrixStep = steps.find((s) => s.run?.includes('npm run nightly'))!;
  assert.match(matrixStep.run!, /-eq 2/);
  assert.match(matrixStep.run!, /exit \$code/);
  const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
  assert.ok(upload, 'uploads an artifact');
  assert.equal(upload!.with?.path, 'store/');
  assert.equal(upload!.if, 'always()', 'uploads the store also when the matrix failed');
});

test('test workflow: npm test on every push and pull request', () => {
  const wf = load('test.yml');
  assert.ok('push' in wf.on && 'pull_request' in wf.on);
  const steps = Object.values(wf.jobs)[0]!.steps;
  const order = ['npm ci', 'npx tsc --noEmit', 'npm test'].map((cmd) => steps.findIndex((s) => s.run?.includes(cmd)));
  assert.ok(order.every((i) => i >= 0), `steps present: ${order}`);
  assert.deepEqual([...order].sort((a, b) => a - b), order, 'install, typecheck, then test');
});
