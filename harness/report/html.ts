/** Tiny HTML helpers: every string from a run goes through esc(). */
export function esc(s: unknown): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON for a <script type="application/json"> block: "<" escaped so "</script>" cannot end it. */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function fmtSeconds(s: number | null | undefined): string {
  if (s == null || !Number.isFinite(s)) return '—';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 120) return `${(Math.round(s * 10) / 10).toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function prettyJson(v: unknown, max = 20000): string {
  let s: string;
  try { s = JSON.stringify(v, null, 2) ?? String(v); } catch { s = String(v); }
  return s.length > max ? s.slice(0, max) + `\n… (${s.length - max} more characters; see results.json)` : s;
}
