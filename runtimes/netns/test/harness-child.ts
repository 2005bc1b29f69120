/**
 * A stand-in harness for the interrupt tests: brings up a netns cluster of probe nodes, prints
 * {"tag","runDir"} once it serves, then waits to be killed (argv[2]: the run folder).
 */
import { NetnsRuntime } from '../runtime.ts';
import { runTag } from '../names.ts';
import { probeSpec } from '../../test/helpers.ts';

const runDir = process.argv[2]!;
const runId = `netns-child-${process.pid}-${Date.now()}`;
const rt = new NetnsRuntime({ log: () => {} });
await rt.setup(probeSpec(['n1', 'n2'], runDir, runId));
await rt.partition({ n2: ['n1'] }); // some rules inside, too
process.stdout.write(JSON.stringify({ tag: runTag(runId), runDir }) + '\n');
setInterval(() => {}, 60_000);
