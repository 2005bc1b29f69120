/**
 * A sweep's worker thread: prepares the run once from the sweep's flags, then runs each seed the
 * main thread sends and answers with its verdict.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareSim, runChecked } from './seed-run.ts';
import { cutsFromFlags } from './cuts.ts';

const flags = workerData.flags as Record<string, string | true>;
const base = await prepareSim(flags);
const cuts = cutsFromFlags(flags);
parentPort!.on('message', async (seed: number | null) => {
  if (seed === null) { parentPort!.close(); return; }
  try {
    const { verdict } = await runChecked(base, { ...base.config, seed }, cuts);
    parentPort!.postMessage({ verdict });
  } catch (e) {
    parentPort!.postMessage({ seed, error: (e as Error).stack ?? String(e) });
  }
});
parentPort!.postMessage({ ready: true });
