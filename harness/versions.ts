import { readFileSync } from 'node:fs';

/** versions recorded in test.json */
export function versions(): Record<string, string> {
  let splitbrain = 'unknown';
  try { splitbrain = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version; } catch { /* keep unknown */ }
  return { splitbrain, node: process.version };
}
