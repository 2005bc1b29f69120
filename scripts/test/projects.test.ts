// Every *.test.ts in the repo lands in exactly one Vitest project (scripts/test-projects.ts), resolved
// with the same globbing Vitest uses (tinyglobby: include, minus exclude).
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globSync } from 'tinyglobby';
import { PROJECTS, type ProjectName } from '../test-projects.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SKIP = new Set(['node_modules', '.git', 'store', '.tmp', 'coverage']);

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.test.ts')) out.push(relative(ROOT, p).split('\\').join('/'));
  }
  return out;
}

test('every test file is in exactly one project', () => {
  const files = walk(ROOT).sort();
  assert.ok(files.length >= 70, `found only ${files.length} test files`);
  const owners = new Map<string, ProjectName[]>(files.map((f) => [f, []]));
  for (const [name, p] of Object.entries(PROJECTS) as [ProjectName, { include: string[]; exclude: string[] }][]) {
    for (const f of globSync(p.include, { cwd: ROOT, ignore: p.exclude })) owners.get(f)?.push(name);
  }
  const wrong = [...owners].filter(([, o]) => o.length !== 1).map(([f, o]) => `${f}: ${o.join(', ') || 'no project'}`);
  assert.deepEqual(wrong, []);
});

test('the classification puts what it should where it should', () => {
  const where = (f: string) => (Object.entries(PROJECTS) as [ProjectName, { include: string[]; exclude: string[] }][])
    .filter(([, p]) => globSync(p.include, { cwd: ROOT, ignore: p.exclude }).includes(f)).map(([n]) => n);
  assert.deepEqual(where('checkers/test/bank.test.ts'), ['unit']);
  assert.deepEqual(where('harness/test/integration-run.test.ts'), ['integration']);
  assert.deepEqual(where('proof/bug-switches.test.ts'), ['proof']);
  assert.deepEqual(where('runtimes/docker/test/pure.test.ts'), ['docker']);
  assert.deepEqual(where('scripts/test/projects.test.ts'), ['unit']);
});
