import { isAbsolute, relative } from 'node:path';

/** a path as a person would type it: relative to the working directory when inside it, else absolute */
export function showPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? p : rel;
}
