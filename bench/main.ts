/**
 * `npm run bench -- <name> [args]` runs bench/<name>.ts, which prints its figures.
 * Benchmarks are never part of `npm test`: speed is recorded in BENCHMARKS.md, not asserted.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'main.ts').map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.error(`usage: npm run bench -- <name>   (available: ${names.join(', ') || 'none yet'})`);
  process.exit(254);
}
process.argv.splice(2, 1);
const mod = await import(pathToFileURL(join(here, `${name}.ts`)).href);
if (typeof mod.main === 'function') await mod.main(process.argv.slice(2));
