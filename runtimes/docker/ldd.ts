/** Pure: the absolute library paths in `ldd` output (the vdso has none and is skipped). */
export function parseLdd(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const arrow = /=>\s*(\/\S+)\s+\(0x/.exec(line);
    if (arrow) { out.add(arrow[1]!); continue; }
    const bare = /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (bare) out.add(bare[1]!);
  }
  return [...out].sort();
}
