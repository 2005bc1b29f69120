/** The local runtime passes the runtime conformance suite (and, after teardown, no pid, port or process of the run is left). */
import { LocalRuntime } from '../local/index.ts';
import { runtimeConformance } from './conformance.ts';
import { assertAllGone, processesMentioning } from './helpers.ts';

runtimeConformance('local', () => new LocalRuntime({ readyTimeoutMs: 20_000 }), {
  leftovers: (rt, runDir) => {
    const { pids, ports } = (rt as LocalRuntime).resources();
    return async () => {
      const left: string[] = [];
      await assertAllGone(pids, ports).catch((e: Error) => left.push(e.message));
      const procs = processesMentioning(runDir);
      if (procs.length) left.push(`processes of the run: ${procs.join(', ')}`);
      return left;
    };
  },
});
