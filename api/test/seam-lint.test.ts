/**
 * The seams hold: the contracts folder imports nothing else of the project, and no source file
 * outside the maep plug-in (and maep's own tests) names maep's routes or flags — a runtime, the
 * harness, a workload or a checker that did would only work for maep.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SKIP_DIRS = new Set(['node_modules', '.git', 'store', 'coverage', '.tmp']);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|mts|mjs|js)$/.test(name)) out.push(relative(ROOT, p));
  }
  return out;
}

/** maep itself, its plug-in, and the places that test or measure maep on purpose */
const MAEP_HOME = [/^node\//, /^systems\/maep\//, /^proof\//, /^bench\/node(-restart)?\.ts$/];
/** tests that drive maep through the harness on purpose, each with why */
const MAEP_TESTS: Record<string, string> = {
  'nightly/test/matrix.test.ts': 'plants a maep bug switch in a nightly matrix',
  'nightly/test/nightly.test.ts': 'plants a maep bug switch in a nightly cell and expects the rerun to catch it',
  'harness/sim/test/sim.test.ts': "catches each of maep's bug switches in the simulator",
  'bench/harness.ts': "measures the harness against a maep cluster beside wrk sending maep's requests",
  'bench/harness-cpu.ts': "the harness half of bench/harness.ts against canned servers that answer as a maep node does",
};

const SELF = 'api/test/seam-lint.test.ts';
const ROUTES = /(?<![.\w])\/(kv|bank|history)\/|\/admin\/status/;
const FLAGS = /--listen(?![\w-])|--peers(?![\w-])|--unsafe-/;

test('no source file outside the maep plug-in names maep routes or flags', () => {
  const offenders: string[] = [];
  for (const file of sources(ROOT)) {
    if (MAEP_HOME.some((re) => re.test(file)) || file in MAEP_TESTS || file === SELF) continue;
    const text = readFileSync(join(ROOT, file), 'utf8');
    // a test that imports the maep plug-in is a test of maep through the harness
    if (/\.test\.ts$|\/test\//.test(file) && /systems\/maep\//.test(text)) continue;
    text.split('\n').forEach((line, i) => {
      const m = ROUTES.exec(line) ?? FLAGS.exec(line);
      if (m) offenders.push(`${file}:${i + 1}: ${m[0]}`);
    });
  }
  assert.deepEqual(offenders, []);
});

test('the contracts folder (api/) imports nothing else of the project', () => {
  const offenders: string[] = [];
  for (const file of sources(join(ROOT, 'api'))) {
    if (file.includes('/test/')) continue;
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/from\s+['"](\.[^'"]*)['"]/g)) {
      const target = relative(ROOT, resolve(ROOT, dirname(file), m[1]!));
      if (!target.startsWith('api/')) offenders.push(`${file} imports ${m[1]}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('the lint sees what it should: a planted route and a planted import are found', () => {
  assert.ok(ROUTES.test("fetch(`${base}/admin/status`)") && ROUTES.test("'/kv/' + key") && !ROUTES.test("from '../history/reader.ts'"));
  assert.ok(FLAGS.test("['--listen', addr]") && FLAGS.test('--unsafe-no-fsync') && !FLAGS.test('--node-args') && !FLAGS.test("'--listen-client-urls'"));
});
