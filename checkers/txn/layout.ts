import type { CycleAnomaly } from './types.ts';

/** A cycle laid out for drawing: txns on a circle, edges between them with short labels. */
export interface CycleLayout {
  width: number;
  height: number;
  nodes: { id: string; label: string; detail: string; x: number; y: number }[];
  edges: { from: string; to: string; label: string; why: string; x1: number; y1: number; x2: number; y2: number; lx: number; ly: number }[];
}

const R_NODE = 22;

/** pure: positions every txn of the cycle on a circle, clockwise from the top */
export function cycleLayout(c: Pick<CycleAnomaly, 'txns' | 'steps'>): CycleLayout {
  const n = c.txns.length;
  const radius = n <= 2 ? 70 : Math.max(80, 30 * n);
  const width = 2 * radius + 220, height = 2 * radius + 120;
  const cx = width / 2, cy = height / 2;
  const nodes = c.txns.map((t, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, n);
    return { id: t.name, label: t.name, detail: `op ${t.index}, process ${String(t.process)}`, x: round(cx + radius * Math.cos(a)), y: round(cy + radius * Math.sin(a)) };
  });
  const at = new Map(nodes.map((p) => [p.id, p]));
  const edges = c.steps.map((s) => {
    const a = at.get(s.from)!, b = at.get(s.to)!;
    const dx = b.x - a.x, dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len, uy = dy / len;
    // two-node cycles: bend the pair apart by offsetting each edge to its own side
    const off = n === 2 ? 10 : 0;
    const ox = -uy * off, oy = ux * off;
    const label = s.key === undefined ? s.type : `${s.type} ${String(s.key)}`;
    return {
      from: s.from, to: s.to, label, why: s.why,
      x1: round(a.x + ux * R_NODE + ox), y1: round(a.y + uy * R_NODE + oy),
      x2: round(b.x - ux * R_NODE + ox), y2: round(b.y - uy * R_NODE + oy),
      lx: round((a.x + b.x) / 2 + ox * 2.2 - uy * 8), ly: round((a.y + b.y) / 2 + oy * 2.2 + ux * 8),
    };
  });
  return { width: round(width), height: round(height), nodes, edges };
}

const COLORS: Record<string, string> = { ww: '#1f77b4', wr: '#2ca02c', rw: '#d62728', process: '#7f7f7f', realtime: '#9467bd' };

/** the cycle as a standalone SVG string (edge colour by kind; each edge's reason as its tooltip) */
export function cycleSvg(c: Pick<CycleAnomaly, 'txns' | 'steps'> & { type?: string }): string {
  const l = cycleLayout(c);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}" font-family="sans-serif" font-size="12">`);
  parts.push('<defs>' + Object.entries(COLORS).map(([k, col]) => `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${col}"/></marker>`).join('') + '</defs>');
  if (c.type) parts.push(`<text x="8" y="16" font-weight="bold">${esc(c.type)}</text>`);
  for (const e of l.edges) {
    const kind = e.label.split(' ')[0]!;
    const col = COLORS[kind] ?? '#333';
    parts.push(`<g><title>${esc(e.why)}</title><line x1="${e.x1}" y1="${e.y1}" x2="${e.x2}" y2="${e.y2}" stroke="${col}" stroke-width="2" marker-end="url(#arrow-${COLORS[kind] ? kind : 'ww'})"/><text x="${e.lx}" y="${e.ly}" fill="${col}" text-anchor="middle">${esc(e.label)}</text></g>`);
  }
  for (const p of l.nodes) {
    parts.push(`<g><title>${esc(p.detail)}</title><circle cx="${p.x}" cy="${p.y}" r="${R_NODE}" fill="#fff" stroke="#333" stroke-width="1.5"/><text x="${p.x}" y="${p.y + 4}" text-anchor="middle" font-weight="bold">${esc(p.label)}</text><text x="${p.x}" y="${p.y + R_NODE + 14}" text-anchor="middle" fill="#555">${esc(p.detail)}</text></g>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const round = (x: number) => Math.round(x * 10) / 10;
