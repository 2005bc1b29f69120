// The docker runtime passes the runtime conformance suite (runtimes/test/conformance.ts) on the
// system-neutral probe system; after teardown no container, network or volume carries the run's
// label. Skipped, with the reason, when no docker engine answers.
//
// Exact delay (as the netns runtime's exactDelay option): on a kernel without sch_netem the
// runtime falls back to htb rate shaping, which does not delay small messages on an idle link, so
// the suite's link-delay test cannot hold there. The runtime under test then says it cannot serve
// link faults exactly (cannotServe, read after setup from the mechanism it recorded), and the
// suite skips that one test with the reason; every other test runs as it is.
import type { SystemNeeds } from '../../../api/runtime.ts';
import { dockerAvailable } from '../engine.ts';
import { DockerRuntime } from '../runtime.ts';
import { runtimeConformance } from '../../test/conformance.ts';
import { docker, RUN_LABEL } from '../engine.ts';

class ExactDelayDockerRuntime extends DockerRuntime {
  override cannotServe(needs: SystemNeeds, faultKinds: readonly string[]): string[] {
    const out = super.cannotServe(needs, faultKinds);
    const link = this.info.mechanisms.link;
    if (faultKinds.includes('link') && link !== undefined && !link.startsWith('tc netem')) {
      out.push(`link faults cannot be exact on this docker engine: the kernel has no sch_netem, so delay is only ${link}`);
    }
    return out;
  }
}

const engine = await dockerAvailable();
runtimeConformance('docker', () => new ExactDelayDockerRuntime({ log: () => {}, readyTimeoutMs: 30_000 }), {
  skip: !engine.ok && `no docker engine: ${engine.why}`,
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
