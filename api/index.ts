/**
 * The contracts every part of splitbrain shares. This folder imports nothing else of the project;
 * everything else depends on it: runtimes (hosts and faults), systems (how to launch and talk to a
 * system under test), workloads (ops and their checkers), checkers and nemeses.
 */
export type { Op, OpInput, OpType, ProcessId, FinalRead } from './history.ts';
export { Rng, freshSeed } from './rng.ts';
export type { Checker, CheckResult, CheckContext, CheckOptions, Validity, Expectation, Expected, ExpectedCheck, CheckerOutcome } from './checker.ts';
export { matches } from './checker.ts';
export type {
  Runtime, RuntimeInfo, RuntimeName, ClusterSpec, NodeEndpoint, NodeHost, PeerAddress, Program, LaunchSpec, PortPlan,
  SystemNeeds, Grudge, LinkFault, Readiness,
} from './runtime.ts';
export type { Workload, WorkloadInstance, WorkloadCheck, GeneratedOp, Completion } from './workload.ts';
export type { Client, ClientContext } from './client.ts';
export type { System, SystemRun, SystemWorkload } from './system.ts';
export type { FaultKind, PartitionShape, KillTargets, ClockMode, CorruptMode, NemesisOptions, NemesisContext, Nemesis, Fault, PlanInput, SystemFaultFactory } from './fault.ts';
export { FAULT_KINDS, PARTITION_SHAPES, KILL_TARGETS, CLOCK_MODES, CORRUPT_MODES } from './fault.ts';
