// The docker runtime passes the runtime conformance suite (runtimes/test/conformance.ts) on the
// system-neutral probe system; after teardown no container, network or volume carries the run's
// label. Skipped, with the reason, when no docker engine answers.
import { test } from 'node:test';
import { dockerAvailable } from '../engine.ts';
import { DockerRuntime } from '../runtime.ts';
import { runtimeConformance } from '../../test/conformance.ts';
import { docker, RUN_LABEL } from '../engine.ts';

const engine = await dockerAvailable();
if (!engine.ok) {
  test('runtime conformance: docker', (t) => { t.skip(`no docker engine: ${engine.why}`); });
} else {
  runtimeConformance('docker', () => new DockerRuntime({ log: () => {}, readyTimeoutMs: 30_000 }), {
    leftovers: (rt) => {
      const runId = (rt as DockerRuntime).runId()!;
      return async () => {
        const label = [`${RUN_LABEL}=${runId}`];
        const d = docker();
        const left = [
          ...(await d.listContainers({ all: true, filters: { label } })).map((c) => `container ${c.Names.join(',')}`),
          ...(await d.listNetworks({ filters: { label } })).map((n) => `network ${n.Name}`),
          ...((await d.listVolumes({ filters: { label } })).Volumes ?? []).map((v) => `volume ${v.Name}`),
        ];
        return left;
      };
    },
  });
}
