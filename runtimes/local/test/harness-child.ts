/**
 * A harness-like parent process for the interrupt tests: sets up a cluster, applies one fault of
 * every kind, prints one JSON line {pids, ports} and then waits to be interrupted.
 * Usage: harness-child.ts <runDir> <mode> <nodeCount>
 *   mode "own-handler": has its own SIGINT handler, like a controller: awaits teardown, prints
 *                       {faults, resources}, exits 130
 *   mode "default":     no handler of its own (the runtime's cleanup re-raises the signal)
 *   mode "crash":       throws an uncaught exception on SIGUSR2
 */
import { LocalRuntime } from '../local-runtime.ts';
import { probeSpec } from './helpers.ts';

const [runDir, mode, count] = process.argv.slice(2) as [string, string, string];
const nodes = Array.from({ length: Number(count) }, (_, i) => `n${i + 1}`);
const rt = new LocalRuntime({ readyTimeoutMs: 20_000 });

if (mode === 'own-handler') {
  process.on('SIGINT', async () => {
    await rt.teardown();
    process.stdout.write(JSON.stringify({ faults: rt.activeFaults(), resources: rt.resources() }) + '\n');
    process.exit(130);
  });
}
if (mode === 'crash') {
  process.on('SIGUSR2', () => setTimeout(() => { throw new Error('harness crashed on purpose'); }, 0));
}

await rt.setup(probeSpec(nodes, runDir, 'interrupt'));
const last = nodes[nodes.length - 1]!;
await rt.partition({ [last]: nodes.slice(0, -1) });
await rt.pause(nodes[1]!);
await rt.setLinkFault('n1', last, { delayMs: 100 });
await rt.setClockOffset('n1', 5000);
process.stdout.write(JSON.stringify({ ...rt.resources(), faults: rt.activeFaults() }) + '\n');
setInterval(() => {}, 1000); // a run in progress
