#!/usr/bin/env node
// Runs the project's tests with Node's own runner (Node 20 has no glob support for --test)
// and ends with one line "N passed, N failed" counted from the TAP results.
// Usage: node scripts/test.mjs [dir-or-file ...]   (default: the whole tree)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const SKIP = new Set(['node_modules', 'store', '.git', '.tmp']);
function findTests(path, out) {
  const st = statSync(path);
  if (st.isFile()) { if (path.endsWith('.test.ts')) out.push(path); return out; }
  for (const name of readdirSync(path).sort()) {
    if (SKIP.has(name)) continue;
    findTests(join(path, name), out);
  }
  return out;
}

const roots = process.argv.slice(2);
const files = (roots.length ? roots : ['.']).flatMap((r) => findTests(r, []));
if (files.length === 0) { console.error('no test files found under: ' + (roots.join(' ') || '.')); process.exit(1); }

const dir = mkdtempSync(join(tmpdir(), 'splitbrain-test-'));
const tap = join(dir, 'results.tap');
const res = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-concurrency=1',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tap}`,
  ...files,
], { stdio: 'inherit' });

let passed = 0, failed = 0;
try {
  const text = readFileSync(tap, 'utf8');
  passed = Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0);
  failed = Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(text)?.[1] ?? 0);
} catch { failed += 1; }
rmSync(dir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(res.status === 0 && failed === 0 ? 0 : 1);
