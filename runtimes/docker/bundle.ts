/**
 * Bundle a system's node-script program (any .ts/.js entry) into one ESM file with esbuild, so the
 * image needs nothing but the node binary. CommonJS dependencies call require() on node builtins,
 * which an ESM bundle lacks: the banner supplies one.
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

export async function bundleScript(entry: string): Promise<Buffer> {
  if (!existsSync(entry)) throw new Error(`program entry point ${entry} does not exist`);
  const res = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    banner: { js: "import { createRequire as __sbCreateRequire } from 'node:module'; const require = __sbCreateRequire(import.meta.url);" },
  });
  const out = res.outputFiles[0];
  if (!out) throw new Error(`esbuild produced no output for ${entry}`);
  return Buffer.from(out.contents);
}
