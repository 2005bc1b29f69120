/** The example system on the docker runtime (it lists docker among its runtimes); skipped, saying why, when no engine answers. */
import tinyKv from '../../examples/tiny-kv/system.ts';
import { DockerRuntime, dockerAvailable } from '../../runtimes/docker/index.ts';
import { leftovers } from '../../runtimes/docker/test/helpers.ts';
import { systemConformance } from './conformance.ts';

const engine = await dockerAvailable();

systemConformance(tinyKv, () => new DockerRuntime({ log: () => {} }), {
  label: 'docker',
  skip: engine.ok ? false : `no docker engine: ${engine.why}`,
  leftovers: async (runId) => { const l = await leftovers(runId); return [...l.containers, ...l.networks]; },
});
