/**
 * maep's durable state in its data folder, for the corrupt fault: the operation log (ops.log) and,
 * with compaction, its snapshot. Not the cluster key (a damaged key is a misconfiguration, not a
 * bad disk) nor the copies of damaged logs maep keeps (ops.log.corrupt-<time>).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const DURABLE = /^(ops\.log|snapshot\.bin)$/;

export function maepDataFiles(dataDir: string): string[] {
  let names: string[];
  try { names = readdirSync(dataDir); } catch { return []; }
  return names.filter((n) => DURABLE.test(n)).sort().map((n) => join(dataDir, n));
}
