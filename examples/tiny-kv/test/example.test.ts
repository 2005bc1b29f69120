/**
 * The README's example system, run as a user runs it: the real CLI with --system PATH, on the
 * local runtime, once with lww and once with bank. Asserts the verdicts (exit 0: every checker as
 * tiny-kv's plug-in expects; stats and convergence valid) and that nothing is left behind.
 */
import { describe, test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processesMentioning, waitFor } from '../../../runtimes/test/helpers.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER = fileURLToPath(new URL('../server.ts', import.meta.url));

interface CliRun { code: number | null; output: string }

/** `node --import tsx harness/cli/main.ts ...args` from the repository root (what npm run jepsen runs) */
function jepsen(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'harness/cli/main.ts', ...args], { cwd: REPO, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, output: stdout + stderr });
    });
  });
}

interface Results { valid: unknown; exitCode: number; checkers: { name: string; valid: unknown; expected: string; matched: boolean; result: { summary?: string } }[] }

for (const [workload, nemesis] of [['lww', 'partition'], ['bank', 'partition,kill']] as const) {
  describe(`tiny-kv through the CLI: --workload ${workload} --nemesis ${nemesis}`, { timeout: 180_000 }, () => {
    let store: string;
    let run: CliRun;

    beforeAll(async () => {
      store = mkdtempSync(join(tmpdir(), `splitbrain-example-${workload}-`));
      run = await jepsen([
        '--system', 'examples/tiny-kv/system.ts', '--workload', workload, '--nemesis', nemesis,
        '--runtime', 'local', '--nodes', '3', '--time-limit', '5', '--nemesis-interval', '1.5',
        '--recovery-time', '10', '--seed', '12', '--store', store,
      ]);
    });

    afterAll(() => {
      rmSync(store, { recursive: true, force: true });
      assert.equal(existsSync(store), false, 'the temp store is removed');
    });

    test('exits 0: every checker showed what the plug-in expects', () => {
      assert.equal(run.code, 0, `exit ${run.code}; output:\n${run.output}`);
    });

    test('results.json: every checker matched, stats and convergence valid', () => {
      const runDir = realpathSync(join(store, 'latest'));
      const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as Results;
      assert.equal(results.exitCode, 0);
      const unmatched = results.checkers.filter((c) => !c.matched).map((c) => `${c.name}: ${c.valid} (expected ${c.expected}) ${c.result.summary ?? ''}`);
      assert.deepEqual(unmatched, [], 'every checker matched its expectation');
      const byName = new Map(results.checkers.map((c) => [c.name, c]));
      assert.equal(byName.get('stats')?.valid, true, 'stats: some ops succeeded');
      assert.equal(byName.get('convergence')?.valid, true, `convergence: ${byName.get('convergence')?.result.summary}`);
      const expectedNames = workload === 'lww'
        ? ['stats', 'linearizability', 'session', 'convergence']
        : ['stats', 'bank-total', 'bank-no-overdraft', 'bank-fold', 'convergence'];
      assert.deepEqual(results.checkers.map((c) => c.name), expectedNames);
      const testJson = JSON.parse(readFileSync(join(runDir, 'test.json'), 'utf8')) as { system: string; runtime: string };
      assert.equal(testJson.system, 'tiny-kv');
      assert.equal(testJson.runtime, 'local');
    });

    test('nothing is left behind: no process mentions the run folder or the example server', async () => {
      // the CLI tore the cluster down before exiting; a short wait covers processes still being reaped
      await waitFor('no leftover process', () => processesMentioning(store).length === 0 && processesMentioning(SERVER).length === 0, 5000)
        .catch(() => assert.fail(`left behind: ${JSON.stringify({ store: processesMentioning(store), server: processesMentioning(SERVER) })}`));
    });
  });
}
