/**
 * libfaketime's timestamp-file syntax, shared by every runtime that fakes node clocks with it
 * (local processes and docker containers): the file holds either a relative offset or an absolute,
 * frozen instant. Pure formatting; each runtime writes the file its own way.
 */

/** a relative offset in ms, e.g. 5000 → "+5.000s" */
export function faketimeSpec(offsetMs: number): string {
  if (!Number.isFinite(offsetMs)) throw new Error(`clock offset must be a finite number of ms, got ${offsetMs}`);
  const sign = offsetMs < 0 ? '-' : '+';
  return `${sign}${(Math.abs(offsetMs) / 1000).toFixed(3)}s`;
}

/**
 * An absolute, frozen timestamp for epoch ms, e.g. "2026-11-21 12:00:00.2505". libfaketime reads it
 * with mktime, in the node's own time zone: pass `utc: true` for a node whose zone is UTC (a
 * container with no zone data) and false for a process that inherits the harness's zone.
 */
export function faketimeFrozenSpec(atMs: number, { utc }: { utc: boolean }): string {
  if (!Number.isFinite(atMs)) throw new Error(`clock freeze instant must be a finite number of ms, got ${atMs}`);
  const d = new Date(Math.round(atMs));
  const [y, mo, day, h, mi, s, ms] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
    : [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  // the trailing 5 (half a millisecond): libfaketime turns the fraction into a double and truncates
  // to ms, so ".073" can come out as 72 ms; ".0735" always lands on 73
  return `${p(y, 4)}-${p(mo + 1)}-${p(day)} ${p(h)}:${p(mi)}:${p(s)}.${p(ms, 3)}5`;
}
