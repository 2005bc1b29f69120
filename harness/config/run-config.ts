import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../cli/usage-error.ts';
import { freshSeed } from '../../api/rng.ts';
import { FLAGS } from './flags.ts';
import { WORKLOAD_NAMES } from '../../workloads/index.ts';
import { CLOCK_MODES, CORRUPT_MODES, FAULT_KINDS, KILL_TARGETS, PARTITION_SHAPES as SHAPES, type ClockMode, type CorruptMode, type FaultKind, type KillTargets, type PartitionShape } from '../../api/fault.ts';

const PARTITION_SHAPES: readonly (PartitionShape | 'cycle')[] = [...SHAPES, 'cycle'];
export const RUNTIME_CHOICES = ['auto', 'local', 'docker', 'netns', 'sim'] as const;

/** A run's full, validated configuration (what test.json records). */
export interface RunConfig {
  /** --system: a built-in system's name or a module's path */
  system: string;
  workload: string;
  nemesis: FaultKind[];
  /** --nemesis names that are no built-in kind: the system's own faults (System.faults), checked once the system is loaded */
  systemNemesis: string[];
  nemesisIntervalS: number;
  partitionShape: PartitionShape | 'cycle';
  clockSkewMs: number;
  /** --kill-targets: whom the kill nemesis hits */
  killTargets: KillTargets;
  /** --pause-targets: whom the pause nemesis hits */
  pauseTargets: KillTargets;
  /** --clock-mode: what the clock nemesis does */
  clockMode: ClockMode;
  /** --corrupt-mode: what the corrupt nemesis does to a file */
  corruptMode: CorruptMode;
  /** --corrupt-targets: whose files the corrupt nemesis damages */
  corruptTargets: KillTargets;
  nodes: number;
  timeLimitS: number;
  rate: number;
  concurrency: number;
  seed: number;
  runtime: (typeof RUNTIME_CHOICES)[number];
  store: string;
  recoveryTimeS: number;
  opTimeoutS: number;
  nodeArgs: string[];
  /** --lin-timeout in seconds */
  linTimeoutS: number;
  /** the system's own params (--system-params "k=v,…" or `system-params:`), validated by the system */
  systemParams: Record<string, unknown>;
  /** workload params (config file `params:`), validated by the workload */
  params: Record<string, unknown>;
}

const num = (what: string) => z.coerce.number({ error: `expected ${what}` });
const positive = num('a number > 0').refine((n) => n > 0, { error: 'expected a number > 0' });
const count = (min: number, max: number) => num('an integer').int({ error: 'expected an integer' }).min(min, { error: `expected an integer from ${min} to ${max}` }).max(max, { error: `expected an integer from ${min} to ${max}` });

/** what a system's own fault kind may be called */
const SYSTEM_FAULT_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const nemesisList = z.union([z.string(), z.array(z.string())]).transform((v, ctx) => {
  const items = (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0 || (items.length === 1 && items[0] === 'none')) return [] as string[];
  for (const it of items) {
    // a name that is no built-in kind may be the system's own (System.faults), checked once it is loaded
    if (!(FAULT_KINDS as readonly string[]).includes(it) && !SYSTEM_FAULT_NAME.test(it)) {
      ctx.addIssue({ code: 'custom', message: `unknown fault kind "${it}" (use ${FAULT_KINDS.join(', ')}, a system's own kind, or none)` });
      return z.NEVER;
    }
  }
  return [...new Set(items)];
});

const wordList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : v.split(/\s+/).filter((s) => s !== '')));
/** "k=v,k2=v2" on the command line, or a YAML map */
const keyValues = z.union([z.string(), z.record(z.string(), z.unknown())]).transform((v, ctx) => {
  if (typeof v !== 'string') return v;
  const out: Record<string, unknown> = {};
  for (const item of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq <= 0) { ctx.addIssue({ code: 'custom', message: `expected key=value pairs separated by commas, got "${item}"` }); return z.NEVER; }
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
});
const oneOf = <T extends string>(items: readonly T[]) => z.enum(items as [T, ...T[]], { error: `expected one of ${items.join(', ')}` });

/** keys are the flag names (also the config file's keys) */
const schema = z.strictObject({
  system: z.string({ error: 'expected a system name or a module path' }).min(1, { error: 'expected a system name or a module path' }).default('maep'),
  workload: z.enum(WORKLOAD_NAMES as [string, ...string[]], { error: `expected one of ${WORKLOAD_NAMES.join(', ')}` }),
  nemesis: nemesisList.default([]),
  'nemesis-interval': positive.default(5),
  'partition-shape': oneOf(PARTITION_SHAPES).default('cycle'),
  'clock-skew': num('a number of ms').min(0, { error: 'expected a number of ms ≥ 0' }).default(60000),
  'kill-targets': oneOf(KILL_TARGETS).default('mixed'),
  'pause-targets': oneOf(KILL_TARGETS).default('mixed'),
  'clock-mode': oneOf(CLOCK_MODES).default('mixed'),
  'corrupt-mode': oneOf(CORRUPT_MODES).default('mixed'),
  'corrupt-targets': oneOf(KILL_TARGETS).default('one'),
  nodes: count(1, 50).default(5),
  'time-limit': positive.default(30),
  rate: positive.default(50),
  concurrency: count(1, 1000).optional(),
  seed: count(0, 2 ** 32 - 1).optional(),
  runtime: oneOf(RUNTIME_CHOICES).default('auto'),
  store: z.string({ error: 'expected a folder path' }).min(1, { error: 'expected a folder path' }).default('./store'),
  'recovery-time': num('a number of seconds').min(0, { error: 'expected a number of seconds ≥ 0' }).default(10),
  'op-timeout': positive.default(2),
  'node-args': wordList.default([]),
  'lin-timeout': positive.default(60),
  'system-params': keyValues.default({}),
  params: z.record(z.string(), z.unknown(), { error: 'expected a map of workload parameters' }).default({}),
});

const CONFIG_KEYS = new Set([...FLAGS.filter((f) => f.inConfig).map((f) => f.name), 'params']);

/** Reads a YAML config file into a plain object; problems are UsageErrors naming the file. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new UsageError(`--config ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give the path of a YAML file`);
  }
  let doc: unknown;
  try { doc = parseYaml(text); } catch (e) {
    throw new UsageError(`--config ${path}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`--config ${path}: expected a YAML map of flag names to values (e.g. "nodes: 3")`);
  for (const k of Object.keys(doc)) {
    if (!CONFIG_KEYS.has(k)) throw new UsageError(`--config ${path}: unknown field "${k}" (fields: ${[...CONFIG_KEYS].join(', ')})`);
  }
  return doc as Record<string, unknown>;
}

/**
 * Flags over config file over defaults → a validated RunConfig. The first problem becomes a
 * UsageError naming the flag (or the config field) and the value it got.
 */
export function resolveRunConfig(flags: Record<string, string | true>, file: Record<string, unknown> = {}, configPath?: string): RunConfig {
  const merged: Record<string, unknown> = { ...file };
  for (const [k, v] of Object.entries(flags)) if (CONFIG_KEYS.has(k)) merged[k] = v;
  if (merged.workload === undefined) throw new UsageError(`--workload is required: one of ${WORKLOAD_NAMES.join(', ')} (e.g. --workload bank)`);
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const raw = field in merged ? merged[field] : undefined;
    const got = raw === undefined ? '' : `, got ${JSON.stringify(raw)}`;
    const where = field in flags || !configPath ? `--${field}` : `--config ${configPath}: field "${field}"`;
    throw new UsageError(`${where}: ${issue.message}${got}`);
  }
  const c = parsed.data;
  // the simulator (also sweep and shrink) has neither data folders on this machine nor real peer ports
  if (c.runtime === 'sim') {
    const real = c.nemesis.filter((k) => k === 'corrupt' || !(FAULT_KINDS as readonly string[]).includes(k));
    if (real.length) {
      throw new UsageError(`--nemesis ${real.join(',')}: ${real.includes('corrupt') ? 'corrupt faults need a node\'s data folder on this machine' : 'a system\'s own faults need real nodes'}; not on --runtime sim`);
    }
  }
  return {
    system: c.system,
    workload: c.workload,
    nemesis: c.nemesis.filter((k): k is FaultKind => (FAULT_KINDS as readonly string[]).includes(k)),
    systemNemesis: c.nemesis.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k)),
    nemesisIntervalS: c['nemesis-interval'],
    partitionShape: c['partition-shape'],
    clockSkewMs: c['clock-skew'],
    killTargets: c['kill-targets'],
    pauseTargets: c['pause-targets'],
    clockMode: c['clock-mode'],
    corruptMode: c['corrupt-mode'],
    corruptTargets: c['corrupt-targets'],
    nodes: c.nodes,
    timeLimitS: c['time-limit'],
    rate: c.rate,
    concurrency: c.concurrency ?? 2 * c.nodes,
    seed: c.seed ?? freshSeed(),
    runtime: c.runtime,
    store: c.store,
    recoveryTimeS: c['recovery-time'],
    opTimeoutS: c['op-timeout'],
    nodeArgs: c['node-args'],
    linTimeoutS: c['lin-timeout'],
    systemParams: c['system-params'],
    params: c.params,
  };
}

/** every fault kind of the run: the built-in ones, then the system's own */
export function allNemesis(c: Pick<RunConfig, 'nemesis' | 'systemNemesis'>): string[] {
  return [...c.nemesis, ...(c.systemNemesis ?? [])];
}

/** the argv that repeats this run exactly (every choice explicit, so no config file is needed) */
export function reproduceCommand(c: RunConfig, runtimeUsed: string): string[] {
  const argv = [
    ...(c.system !== 'maep' ? ['--system', c.system] : []),
    '--workload', c.workload,
    '--nemesis', allNemesis(c).length ? allNemesis(c).join(',') : 'none',
    '--nodes', String(c.nodes), '--time-limit', String(c.timeLimitS), '--rate', String(c.rate),
    '--concurrency', String(c.concurrency), '--seed', String(c.seed), '--runtime', runtimeUsed,
    '--recovery-time', String(c.recoveryTimeS), '--op-timeout', String(c.opTimeoutS),
  ];
  if (allNemesis(c).length) argv.push('--nemesis-interval', String(c.nemesisIntervalS), '--partition-shape', c.partitionShape, '--clock-skew', String(c.clockSkewMs));
  if (c.nemesis.length && c.killTargets !== 'mixed') argv.push('--kill-targets', c.killTargets);
  if (c.nemesis.length && c.pauseTargets !== 'mixed') argv.push('--pause-targets', c.pauseTargets);
  if (c.nemesis.length && c.clockMode !== 'mixed') argv.push('--clock-mode', c.clockMode);
  if (c.nemesis.includes('corrupt') && c.corruptMode !== 'mixed') argv.push('--corrupt-mode', c.corruptMode);
  if (c.nemesis.includes('corrupt') && c.corruptTargets !== 'one') argv.push('--corrupt-targets', c.corruptTargets);
  if (c.nodeArgs.length) argv.push('--node-args', c.nodeArgs.join(' '));
  if (c.store !== './store') argv.push('--store', c.store);
  if (c.linTimeoutS !== 60) argv.push('--lin-timeout', String(c.linTimeoutS));
  const sp = Object.entries(c.systemParams);
  if (sp.length) argv.push('--system-params', sp.map(([k, v]) => `${k}=${v}`).join(','));
  return argv;
}

/** shell-quoted `npm run jepsen -- ...` line for test.json and the terminal */
export function commandLine(argv: readonly string[]): string {
  const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return ['npm', 'run', 'jepsen', '--', ...argv.map(q)].join(' ');
}
