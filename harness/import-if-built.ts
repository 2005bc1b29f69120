import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Imports one of the project's optional parts (a runtime, the nemesis, the checkers, the report)
 * by URL, only when its file exists: null when it does not, so the caller can say which part is
 * missing instead of the harness failing to start. A module that exists but fails to load throws.
 */
export async function importIfBuilt(url: URL): Promise<Record<string, any> | null> {
  if (!existsSync(fileURLToPath(url))) return null;
  return (await import(url.href)) as Record<string, any>;
}
