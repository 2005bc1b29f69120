/**
 * maep passes the system conformance suite on the docker runtime. Skipped, saying why, only when
 * no docker engine answers (the same rule as the docker runtime's own tests).
 */
import { maep } from '../maep/index.ts';
import { DockerRuntime, dockerAvailable } from '../../runtimes/docker/index.ts';
import { leftovers } from '../../runtimes/docker/test/helpers.ts';
import { systemConformance } from './conformance.ts';

const engine = await dockerAvailable();

systemConformance(maep, () => new DockerRuntime({ log: () => {} }), {
  label: 'docker',
  skip: engine.ok ? false : `no docker engine: ${engine.why}`,
  // containers and networks labelled with the run's id
  leftovers: async (runId) => { const l = await leftovers(runId); return [...l.containers, ...l.networks]; },
});
