/**
 * Runs seeds on worker threads (one per core by default), handing each idle worker the next seed.
 * Stops handing out seeds at the first unexpected verdict unless `keepGoing`; seeds in flight then
 * finish, so the result holds every failure found. Workers load TypeScript through tsx's API (a
 * worker does not inherit the parent's loader).
 */
import { Worker } from 'node:worker_threads';
import type { SeedVerdict } from './seed-run.ts';

export interface PoolOptions {
  flags: Record<string, string | true>;
  seeds: number[];
  workers: number;
  keepGoing: boolean;
  onVerdict?(v: SeedVerdict, done: number): void;
}

export async function sweepSeeds(o: PoolOptions): Promise<{ verdicts: SeedVerdict[]; stoppedEarly: boolean }> {
  const entry = new URL('./sweep-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  const verdicts: SeedVerdict[] = [];
  let next = 0;
  let stop = false;
  let failure: Error | null = null;
  const one = (): Promise<void> => new Promise((resolve) => {
    // a larger young generation: a simulation allocates many short-lived objects (fewer scavenges)
    const w = new Worker(code, { eval: true, workerData: { flags: o.flags }, resourceLimits: { maxYoungGenerationSizeMb: 96 } });
    const give = () => {
      if (stop || next >= o.seeds.length) { w.postMessage(null); return; }
      w.postMessage(o.seeds[next++]);
    };
    w.on('message', (m: { ready?: true; verdict?: SeedVerdict; seed?: number; error?: string }) => {
      if (m.error) { failure ??= new Error(`seed ${m.seed}: the simulation crashed: ${m.error}`); stop = true; }
      if (m.verdict) {
        verdicts.push(m.verdict);
        if (m.verdict.exitCode === 1 && !o.keepGoing) stop = true;
        o.onVerdict?.(m.verdict, verdicts.length);
      }
      give();
    });
    w.on('error', (e) => { failure ??= e; stop = true; resolve(); });
    w.on('exit', () => resolve());
  });
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.workers, o.seeds.length)) }, one));
  if (failure) throw failure;
  verdicts.sort((a, b) => a.seed - b.seed);
  return { verdicts, stoppedEarly: verdicts.length < o.seeds.length };
}
