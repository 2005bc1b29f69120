/** LaunchSpec.files: written into the node's data folder before its first start; a path may not leave it. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

export function writeNodeFiles(dataDir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const path = resolve(dataDir, rel);
    const inside = relative(dataDir, path);
    if (!inside || inside.startsWith('..') || isAbsolute(inside)) throw new Error(`LaunchSpec.files: "${rel}" is not a path inside the node's data folder`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}
