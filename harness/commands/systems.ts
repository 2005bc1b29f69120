import { BUILTIN_SYSTEMS } from '../../systems/index.ts';
import { WORKLOADS } from '../../workloads/index.ts';

/** `systems`: the built-in systems, each with the workloads and runtimes it supports. */
export function systemsCommand(out: NodeJS.WritableStream): number {
  for (const s of Object.values(BUILTIN_SYSTEMS)) {
    out.write(`${s.name}: ${s.description}\n`);
    out.write(`  workloads: ${Object.keys(s.workloads).join(', ')}\n`);
    out.write(`  runtimes:  ${s.runtimes.join(', ')}\n`);
  }
  out.write(`\nworkloads: ${Object.values(WORKLOADS).map((w) => w.name).join(', ')}\n`);
  out.write('your own system: --system path/to/module.ts (a module exporting a System; see "Test your own system" in the README)\n');
  return 0;
}
