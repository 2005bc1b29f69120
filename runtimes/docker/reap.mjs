// Synchronous-exit reaper: `node docker/reap.mjs <runId>` force-removes the run's containers and
// network (and data volumes). Plain JS so the 'exit' hook can spawnSync it without tsx. Mirrors cleanup.ts#removeRun.
import Docker from 'dockerode';

const runId = process.argv[2];
if (!runId) process.exit(2);
const d = new Docker();
const label = [`splitbrain.run=${runId}`];
const cs = await d.listContainers({ all: true, filters: { label } });
await Promise.allSettled(cs.map((c) => d.getContainer(c.Id).remove({ force: true, v: true })));
const nets = await d.listNetworks({ filters: { label } });
await Promise.allSettled(nets.map((n) => d.getNetwork(n.Id).remove()));
const vols = (await d.listVolumes({ filters: { label } })).Volumes ?? [];
await Promise.allSettled(vols.map((v) => d.getVolume(v.Name).remove()));
