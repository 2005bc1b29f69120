/**
 * What gets inlined into every report: uPlot (JS + CSS) from node_modules and the page script,
 * whose TypeScript esbuild strips at generation time. Read once per process and cached.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

export interface Assets { uplotJs: string; uplotCss: string; pageJs: string }

let cached: Assets | null = null;

export function assets(): Assets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('uplot'));
  const here = dirname(fileURLToPath(import.meta.url));
  const src = readFileSync(join(here, 'page', 'draw.ts'), 'utf8');
  const pageJs = transformSync(src, { loader: 'ts', format: 'iife', target: 'es2020', minifyWhitespace: false }).code;
  cached = {
    uplotJs: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(join(dist, 'uPlot.min.css'), 'utf8'),
    pageJs,
  };
  return cached;
}

/** Inline scripts must not contain "</script" (a case-insensitive end tag). */
export function safeInlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}
