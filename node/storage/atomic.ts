/** Replacing a file so that a crash leaves either the old or the new content, never a mix. */
import { writeFileSync, renameSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';

/** write a temporary file, fsync it, rename it over `path`, fsync the directory */
export function replaceFileAtomically(path: string, content: Uint8Array): void {
  const tmp = path + '.tmp';
  writeFileSync(tmp, content);
  const fd = openSync(tmp, 'r+');
  try { fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(tmp, path);
  const dfd = openSync(dirname(path), 'r');
  try { fsyncSync(dfd); } finally { closeSync(dfd); }
}
