import { UsageError } from '../cli/usage-error.ts';
import { importIfBuilt } from '../import-if-built.ts';
import type { Nemesis, NemesisOptions } from '../../api/fault.ts';

const NEMESIS = new URL('../../nemesis/index.ts', import.meta.url);

/** the nemesis for --nemesis, or null for none; imported only when faults were asked for */
export async function loadNemesis(opts: NemesisOptions): Promise<Nemesis | null> {
  if (opts.kinds.length === 0) return null;
  const mod = await importIfBuilt(NEMESIS);
  if (!mod || typeof mod.createNemesis !== 'function') throw new UsageError(`--nemesis ${opts.kinds.join(',')}: fault injection is not built yet (nemesis/index.ts); use --nemesis none`);
  return mod.createNemesis(opts) as Nemesis;
}
