/**
 * maep's public face for the rest of splitbrain: the pure core (for the simulator and tests), the
 * in-memory network, the runnable node and its config.
 */
export { Replica, defaultReplicaOptions, noEffects } from './core/replica.ts';
export type { ReplicaOptions, ReplicaEnv, Effects, ClientRequest, ClientReply, ReplicaEvent } from './core/replica.ts';
export type { Message } from './core/messages.ts';
export type { Op, OpKind } from './core/ops.ts';
export { MemNet, FakeClock } from './core/memnet.ts';
export { startNode, type RunningNode } from './shell/server.ts';
export { loadConfig, ConfigError, type NodeConfig } from './config.ts';
export { encodeMessage, decodeMessage } from './wire/codec.ts';
