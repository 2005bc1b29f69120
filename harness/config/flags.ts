/**
 * Every flag the CLI knows, with its default and help text: one table that the parser, --help and
 * the config file (keys = flag names without "--") all read, so they cannot drift apart.
 */
export interface FlagSpec {
  name: string;
  /** placeholder for the value; absent = boolean switch */
  arg?: string;
  default?: string;
  help: string;
  /** which subcommands take it */
  for: readonly Command[];
  /** may also be set in a --config file */
  inConfig?: boolean;
}

export const COMMANDS = ['run', 'check', 'cluster', 'export', 'report', 'serve', 'systems', 'sweep', 'shrink'] as const;
export type Command = (typeof COMMANDS)[number];

/** run flags; a sweep takes every one of them too (it runs the run on the simulator, seed after seed) */
const RUN: Command[] = ['run', 'sweep'];

export const FLAGS: readonly FlagSpec[] = [
  { name: 'system', arg: 'NAME|PATH', default: 'maep', help: 'the system under test: a built-in one (see the systems command) or the path of a module exporting a System', for: ['run', 'sweep', 'check', 'cluster'], inConfig: true },
  { name: 'system-params', arg: '"K=V,…"', default: '', help: 'the system\'s own params, e.g. "wait-replicas=2" for redis (see the systems command)', for: ['run', 'sweep', 'cluster'], inConfig: true },
  { name: 'workload', arg: 'NAME', help: 'bank | lww | history (required for run; for check, when there is no test.json)', for: ['run', 'sweep', 'check'], inConfig: true },
  { name: 'nemesis', arg: 'LIST', default: 'none', help: 'faults: comma list of partition,pause,kill,clock,link,corrupt, a system\'s own (maep: byzantine), or none', for: RUN, inConfig: true },
  { name: 'nemesis-interval', arg: 'S', default: '5', help: 'seconds between fault start/stop events (jittered)', for: RUN, inConfig: true },
  { name: 'partition-shape', arg: 'SHAPE', default: 'cycle', help: 'halves | one | majorities-ring | bridge | one-way (netns, docker) | primary-minority (the primary cut off with a minority) | cycle (through the first four)', for: RUN, inConfig: true },
  { name: 'clock-skew', arg: 'MS', default: '60000', help: 'largest clock offset the clock nemesis sets, in ms', for: RUN, inConfig: true },
  { name: 'kill-targets', arg: 'WHO', default: 'mixed', help: 'one | minority | majority | all | mixed (one node or a random minority) | primaries (the nodes the system says lead now)', for: RUN, inConfig: true },
  { name: 'pause-targets', arg: 'WHO', default: 'mixed', help: 'whom a pause hits: the same choices as --kill-targets', for: RUN, inConfig: true },
  { name: 'corrupt-mode', arg: 'MODE', default: 'mixed', help: 'what the corrupt nemesis does to a data file of a down node: bitflip | truncate | zero (a 4 KiB page) | mixed', for: RUN, inConfig: true },
  { name: 'corrupt-targets', arg: 'WHO', default: 'one', help: 'whose data files the corrupt nemesis damages: the same choices as --kill-targets', for: RUN, inConfig: true },
  { name: 'clock-mode', arg: 'MODE', default: 'mixed', help: 'bump | strobe | freeze (every clock stops at one instant) | mixed (bump or strobe)', for: RUN, inConfig: true },
  { name: 'nodes', arg: 'N', default: '5', help: 'number of nodes', for: ['run', 'sweep', 'cluster'], inConfig: true },
  { name: 'time-limit', arg: 'S', default: '30', help: 'seconds of the main phase (ops and faults)', for: RUN, inConfig: true },
  { name: 'rate', arg: 'OPS', default: '50', help: 'total ops per second over all workers (jittered)', for: RUN, inConfig: true },
  { name: 'concurrency', arg: 'N', default: '2 × nodes', help: 'number of client workers; worker i talks to node i mod nodes', for: RUN, inConfig: true },
  { name: 'seed', arg: 'N', default: 'random', help: 'seed for every random choice; printed, repeat a run with it', for: RUN, inConfig: true },
  { name: 'runtime', arg: 'KIND', default: 'auto', help: 'auto | local | docker | netns | sim (the simulator: a pure core on simulated time); auto uses docker when an engine answers, else local', for: ['run', 'sweep', 'cluster'], inConfig: true },
  { name: 'store', arg: 'DIR', default: './store', help: 'where runs are stored (store/<test>/<time>/, store/latest)', for: ['run', 'sweep', 'shrink', 'serve', 'cluster'], inConfig: true },
  { name: 'recovery-time', arg: 'S', default: '10', help: 'after healing, seconds the final reads may poll for the nodes to converge', for: RUN, inConfig: true },
  { name: 'op-timeout', arg: 'S', default: '2', help: 'per-op timeout; a write that times out is recorded as info', for: RUN, inConfig: true },
  { name: 'node-args', arg: '"ARGS"', default: '', help: 'extra arguments for every node of the system under test, e.g. "--fsync never" for maep', for: ['run', 'sweep', 'cluster'], inConfig: true },
  { name: 'lin-timeout', arg: 'S', default: '60', help: 'budget of the linearizability search in seconds; past it the check says unknown', for: ['run', 'sweep', 'check'], inConfig: true },
  { name: 'config', arg: 'FILE', help: 'YAML file with any of these flags as keys (and params: for the workload); flags override it', for: RUN },
  { name: 'model', arg: 'NAME', help: 'check FILE with the linearizability checker and this model: cas-register | kv | lww', for: ['check'] },
  { name: 'edn', help: 'export the history as Jepsen EDN (history.edn)', for: ['export'] },
  { name: 'out', arg: 'FILE', default: '<run dir>/history.edn', help: 'where export writes', for: ['export'] },
  { name: 'all', help: 'cluster down: also remove leftovers of every run (docker)', for: ['cluster'] },
  { name: 'port', arg: 'N', default: '8080', help: 'port for serve (loopback only)', for: ['serve'] },
  { name: 'sim-faults', arg: 'LIST', help: 'sim only: keep just these fault starts, by their order in the schedule (0,2,5 or none); the shrinker writes it', for: RUN },
  { name: 'sim-fault-window', arg: 'MS', help: 'sim only: stop every fault at most MS after its start; the shrinker writes it', for: RUN },
  { name: 'sim-max-ops', arg: 'N', help: 'sim only: the workers stop after N client ops; the shrinker writes it', for: RUN },
  { name: 'seeds', arg: 'N', default: '100', help: 'sweep: how many seeds to run, from --seed (default 1) on', for: ['sweep'] },
  { name: 'workers', arg: 'N', default: 'all cores', help: 'sweep: worker threads', for: ['sweep'] },
  { name: 'keep-going', help: 'sweep: run every seed, also after an unexpected verdict', for: ['sweep'] },
  { name: 'tries', arg: 'N', default: '200', help: 'shrink: simulated runs the search may make', for: ['shrink'] },
  { name: 'help', help: 'show this help', for: [...COMMANDS] },
];

export function flagSpec(name: string): FlagSpec | undefined {
  return FLAGS.find((f) => f.name === name);
}
