/** maep's pure core for the simulator (System.sim, api/sim.ts): nodes (sim-node.ts) and clients (sim-client.ts). */
import type { SimSystem } from '../../api/sim.ts';
import { bootMaep } from './sim-node.ts';
import { maepSimClient } from './sim-client.ts';

export const maepSim: SimSystem = {
  // node/shell/server.ts ticks every min(50, heartbeat / 4) ms; 50 at the default heartbeat
  tickMs: 50,
  boot: bootMaep,
  client: maepSimClient,
};
