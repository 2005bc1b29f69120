/** "host:port" (or "[v6]:port") → parts; throws an Error naming the bad address. */
export function parseHostPort(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(addr.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`"${addr}" is not a host:port address (e.g. 127.0.0.1:7001)`);
  return { host: (m[1] ?? m[2])!, port };
}
