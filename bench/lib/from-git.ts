/**
 * Earlier versions of source files, read from the git history when a bench runs, so that a bench can
 * time the old code beside the current one in the same process without a frozen copy in the tree.
 * The copies go to `.tmp/from-git/<commit>/` (ignored by git). Relative imports among the copied
 * files stay among the copies; every other relative import is pointed at today's file, so shared
 * types and sentinels (e.g. the models' ILLEGAL symbol) are the same objects for old and new code.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RELATIVE_IMPORT = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\2/g;

/**
 * Writes `files` (paths from the repo root) as they were at `commit` and returns the absolute path
 * of each copy, in order. Throws one clear error when the history is not there (a shallow clone,
 * a tarball).
 */
export function filesAtCommit(commit: string, files: readonly string[]): string[] {
  const root = join(REPO, '.tmp', 'from-git', commit);
  const copyOf = new Map(files.map((f) => [resolve(REPO, f), join(root, f)]));
  return files.map((file) => {
    let text: string;
    try {
      text = execFileSync('git', ['show', `${commit}:${file}`], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new Error(`cannot read ${file} at commit ${commit} from git (${(e as Error).message.split('\n')[0]}): this bench compares against that commit and needs the repository's history; in a shallow clone run \`git fetch --unshallow\``);
    }
    const original = resolve(REPO, file);
    const copy = copyOf.get(original)!;
    const rewritten = text.replace(RELATIVE_IMPORT, (_all, lead: string, quote: string, spec: string) => {
      const target = resolve(dirname(original), spec);
      const to = copyOf.get(target);
      const path = to ? './' + relative(dirname(copy), to) : target;
      return `${lead}${quote}${path}${quote}`;
    });
    mkdirSync(dirname(copy), { recursive: true });
    writeFileSync(copy, rewritten);
    return copy;
  });
}
