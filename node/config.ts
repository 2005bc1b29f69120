/**
 * maep's command line and YAML config → a checked NodeConfig. Pure apart from reading the
 * --config file; every problem is one ConfigError naming the flag and what to do.
 * Precedence: flags over the config file over defaults.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { defaultPhiOptions } from './core/phi.ts';
import { defaultReplicaOptions, type ReplicaOptions } from './core/replica.ts';
import { parseHostPort } from './shell/address.ts';

export class ConfigError extends Error {}

/** the core's tunables are the core's own types; the rest is the shell's (sockets, disk, clock, logs) */
export interface NodeConfig extends Pick<ReplicaOptions, 'id' | 'accounts' | 'initialBalance' | 'heartbeatIntervalMs' | 'antiEntropyIntervalMs' | 'phi' | 'merkleDepth' | 'maxSeqJump' | 'maxOrigins' | 'maxPeers' | 'forgetPeerAfterMs' | 'compactAfterOps'> {
  listen: string;
  http: string;
  peers: { id: string; addr: string }[];
  data?: string;
  fsync: 'always' | 'interval' | 'never';
  clockOffsetFile?: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** encoded bytes a client value may have (413 above) */
  maxValueBytes: number;
  /** file holding the pre-shared cluster key; none = unauthenticated peer links (loud warning) */
  clusterKeyFile?: string;
  /** bearer token every HTTP request (except /metrics) must carry; none = open API */
  clientToken?: string;
  clientTokenFile?: string;
  unsafe: ReplicaOptions['unsafe'] & { noFsync: boolean; truncateOnCorruption: boolean };
}

/** the core's defaults, so the flags' defaults and their help cannot drift from them */
const D = defaultReplicaOptions('');

type Kind = 'string' | 'int' | 'number' | 'bool';
const FLAGS: Record<string, { kind: Kind; help: string }> = {
  'id': { kind: 'string', help: 'this node\'s id, e.g. n1 (required)' },
  'listen': { kind: 'string', help: 'peer TCP address host:port (required)' },
  'http': { kind: 'string', help: 'client HTTP address host:port (required)' },
  'peers': { kind: 'string', help: 'seed peers id@host:port,id@host:port' },
  'data': { kind: 'string', help: 'data directory for the operation log (none = memory only)' },
  'fsync': { kind: 'string', help: 'always | interval | never (default always)' },
  'config': { kind: 'string', help: 'YAML file with any of these settings (flags win)' },
  'accounts': { kind: 'int', help: `bank accounts (default ${D.accounts})` },
  'initial-balance': { kind: 'int', help: `initial balance per account (default ${D.initialBalance})` },
  'heartbeat-interval': { kind: 'int', help: `ms between heartbeats (default ${D.heartbeatIntervalMs})` },
  'anti-entropy-interval': { kind: 'int', help: `ms between anti-entropy rounds (default ${D.antiEntropyIntervalMs})` },
  'phi-threshold': { kind: 'number', help: `failure detector threshold (default ${D.phi.threshold})` },
  'phi-window': { kind: 'int', help: `failure detector sample window (default ${D.phi.windowSize})` },
  'phi-min-std-dev': { kind: 'number', help: 'failure detector min std-dev in ms (default heartbeat/2, at least 50)' },
  'phi-acceptable-pause': { kind: 'number', help: 'failure detector tolerated pause in ms (default 2 heartbeats)' },
  'merkle-depth': { kind: 'int', help: `Merkle tree depth, fan-out 16 (default ${D.merkleDepth})` },
  'clock-offset-file': { kind: 'string', help: 'file holding a wall-clock offset in ms (fallback when libfaketime is missing)' },
  'log-level': { kind: 'string', help: 'error | warn | info | debug (default info)' },
  'cluster-key-file': { kind: 'string', help: 'file with the pre-shared cluster key (>= 16 chars, surrounding whitespace ignored); peers must prove it (none = unauthenticated, with a warning)' },
  'client-token': { kind: 'string', help: 'HTTP requests (except /metrics) need "authorization: Bearer TOKEN" (none = open)' },
  'client-token-file': { kind: 'string', help: 'file holding the client token (surrounding whitespace ignored)' },
  'max-value-bytes': { kind: 'int', help: 'encoded bytes a client value may have; over it: 413 (default 1048576)' },
  'max-seq-jump': { kind: 'int', help: `reject a received op more than this many seqs beyond the highest held of its origin (default ${D.maxSeqJump})` },
  'max-origins': { kind: 'int', help: `distinct writers (origins) accepted (default ${D.maxOrigins})` },
  'max-peers': { kind: 'int', help: `cluster members known at most (default ${D.maxPeers})` },
  'forget-peer-after': { kind: 'int', help: `ms after which a learnt, non-seed peer that is not alive is forgotten; 0 = never (default ${D.forgetPeerAfterMs})` },
  'compact-after': { kind: 'int', help: `compact once this many held ops are below the stable frontier (every peer holds them): fold them into DIR/snapshot.bin and drop them from memory and the log; 0 = never (default ${D.compactAfterOps})` },
  'unsafe-no-fsync': { kind: 'bool', help: 'TESTING AID: acknowledge writes before they are durable' },
  'unsafe-no-causal-delivery': { kind: 'bool', help: 'TESTING AID: make ops visible ignoring their causal context' },
  'unsafe-no-anti-entropy': { kind: 'bool', help: 'TESTING AID: replicate by push only, never repair' },
  'unsafe-lww-no-tiebreak': { kind: 'bool', help: 'TESTING AID: equal LWW timestamps resolved by arrival order' },
  'unsafe-truncate-on-corruption': { kind: 'bool', help: 'TESTING AID: cut the log at the first bad record (losing every record after it)' },
  'help': { kind: 'bool', help: 'print this help' },
};

export function usage(): string {
  const lines = Object.entries(FLAGS).map(([k, v]) => `  --${k.padEnd(26)} ${v.help}`);
  return ['usage: npx tsx node/main.ts --id n1 --listen 127.0.0.1:7001 --http 127.0.0.1:8001 [--peers n2@127.0.0.1:7002,...] [options]', ...lines].join('\n');
}

/** argv (without node and script) → raw settings by flag name */
export function parseArgv(argv: string[]): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new ConfigError(`unexpected argument "${a}"; flags look like --id n1 (see --help)`);
    let name = a.slice(2), value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) { value = name.slice(eq + 1); name = name.slice(0, eq); }
    const spec = FLAGS[name];
    if (!spec) throw new ConfigError(`unknown flag --${name} (see --help)`);
    if (spec.kind === 'bool') {
      if (value !== undefined && value !== 'true' && value !== 'false') throw new ConfigError(`--${name} takes no value (or =true/=false), got "${value}"`);
      out[name] = value !== 'false';
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`--${name} needs a value: ${spec.help}`);
    }
    out[name] = value;
  }
  return out;
}

function camelToKebab(k: string): string { return k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()); }

/** YAML config → raw settings (keys in kebab-case or camelCase; peers as a list or a string) */
export function parseConfigFile(text: string, path: string): Record<string, string | boolean> {
  let doc: unknown;
  try { doc = parseYaml(text); } catch (e) { throw new ConfigError(`config file ${path} is not valid YAML: ${(e as Error).message.split('\n')[0]}`); }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config file ${path} must hold a mapping of settings`);
  const out: Record<string, string | boolean> = {};
  for (const [k0, v] of Object.entries(doc as Record<string, unknown>)) {
    const k = camelToKebab(k0);
    const spec = FLAGS[k];
    if (!spec || k === 'config' || k === 'help') throw new ConfigError(`config file ${path}: unknown setting "${k0}"`);
    if (k === 'peers' && Array.isArray(v)) { out[k] = v.map(String).join(','); continue; }
    if (spec.kind === 'bool') {
      if (typeof v !== 'boolean') throw new ConfigError(`config file ${path}: "${k0}" must be true or false`);
      out[k] = v;
    } else {
      if (typeof v !== 'string' && typeof v !== 'number') throw new ConfigError(`config file ${path}: "${k0}" must be a ${spec.kind === 'string' ? 'string' : 'number'}`);
      out[k] = String(v);
    }
  }
  return out;
}

function num(raw: Record<string, string | boolean>, name: string, dflt: number, min: number, max: number, int: boolean): number {
  const v = raw[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n)) || n < min || n > max) {
    throw new ConfigError(`--${name} must be ${int ? 'an integer' : 'a number'} in ${min}..${max}, got "${String(v)}"`);
  }
  return n;
}

function str(raw: Record<string, string | boolean>, name: string): string | undefined {
  const v = raw[name];
  return typeof v === 'string' ? v : undefined;
}

function addr(raw: Record<string, string | boolean>, name: string): string {
  const v = str(raw, name);
  if (!v) throw new ConfigError(`--${name} is required: ${FLAGS[name]!.help}`);
  try { parseHostPort(v); } catch (e) { throw new ConfigError(`--${name}: ${(e as Error).message}`); }
  return v;
}

function nonEmpty(raw: Record<string, string | boolean>, name: string): string | undefined {
  const v = str(raw, name);
  if (v === '') throw new ConfigError(`--${name} needs a value: ${FLAGS[name]!.help}`);
  return v;
}

const ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export function parsePeers(text: string): { id: string; addr: string }[] {
  const out: { id: string; addr: string }[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = part.indexOf('@');
    if (at <= 0) throw new ConfigError(`--peers entry "${part}" is not id@host:port (e.g. n2@127.0.0.1:7002)`);
    const id = part.slice(0, at), a = part.slice(at + 1);
    if (!ID_RE.test(id)) throw new ConfigError(`--peers entry "${part}": node id "${id}" may use only letters, digits, _ . - (1-64 chars)`);
    try { parseHostPort(a); } catch (e) { throw new ConfigError(`--peers entry "${part}": ${(e as Error).message}`); }
    if (out.some((p) => p.id === id)) throw new ConfigError(`--peers names ${id} twice`);
    out.push({ id, addr: a });
  }
  return out;
}

/** the whole thing: argv → NodeConfig, or { help: true }. Throws ConfigError. */
export function loadConfig(argv: string[], readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): NodeConfig | { help: true } {
  const flags = parseArgv(argv);
  if (flags.help) return { help: true };
  let raw = flags;
  const cfgPath = str(flags, 'config');
  if (cfgPath) {
    let text: string;
    try { text = readFile(cfgPath); } catch (e) { throw new ConfigError(`cannot read --config ${cfgPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
    raw = { ...parseConfigFile(text, cfgPath), ...flags };
  }
  const id = str(raw, 'id');
  if (!id) throw new ConfigError('--id is required: this node\'s id, e.g. --id n1');
  if (!ID_RE.test(id)) throw new ConfigError(`--id "${id}" may use only letters, digits, _ . - (1-64 chars)`);
  const fsync = str(raw, 'fsync') ?? 'always';
  if (fsync !== 'always' && fsync !== 'interval' && fsync !== 'never') throw new ConfigError(`--fsync must be always, interval or never, got "${fsync}"`);
  const logLevel = str(raw, 'log-level') ?? 'info';
  if (!['error', 'warn', 'info', 'debug'].includes(logLevel)) throw new ConfigError(`--log-level must be error, warn, info or debug, got "${logLevel}"`);
  const heartbeatIntervalMs = num(raw, 'heartbeat-interval', D.heartbeatIntervalMs, 10, 60_000, true);
  const dphi = defaultPhiOptions(heartbeatIntervalMs);
  const peers = parsePeers(str(raw, 'peers') ?? '').filter((p) => p.id !== id);
  if (str(raw, 'client-token') !== undefined && str(raw, 'client-token-file') !== undefined) throw new ConfigError('give --client-token or --client-token-file, not both');
  const data = str(raw, 'data');
  if (data === '') throw new ConfigError('--data needs a directory path');
  return {
    id, listen: addr(raw, 'listen'), http: addr(raw, 'http'), peers, data, fsync,
    accounts: num(raw, 'accounts', D.accounts, 1, 1_000_000, true),
    initialBalance: num(raw, 'initial-balance', D.initialBalance, 0, Number.MAX_SAFE_INTEGER, true),
    heartbeatIntervalMs,
    antiEntropyIntervalMs: num(raw, 'anti-entropy-interval', D.antiEntropyIntervalMs, 10, 3_600_000, true),
    phi: {
      threshold: num(raw, 'phi-threshold', dphi.threshold, 0.1, 1000, false),
      windowSize: num(raw, 'phi-window', dphi.windowSize, 1, 100_000, true),
      minStdDevMs: num(raw, 'phi-min-std-dev', dphi.minStdDevMs, 0.1, 600_000, false),
      acceptablePauseMs: num(raw, 'phi-acceptable-pause', dphi.acceptablePauseMs, 0, 600_000, false),
    },
    merkleDepth: num(raw, 'merkle-depth', D.merkleDepth, 1, 6, true),
    clockOffsetFile: str(raw, 'clock-offset-file'),
    logLevel: logLevel as NodeConfig['logLevel'],
    maxValueBytes: num(raw, 'max-value-bytes', 1024 * 1024, 1, 8 * 1024 * 1024, true),
    maxSeqJump: num(raw, 'max-seq-jump', D.maxSeqJump, 1, Number.MAX_SAFE_INTEGER, true),
    maxOrigins: num(raw, 'max-origins', D.maxOrigins, 1, 100_000, true),
    maxPeers: num(raw, 'max-peers', D.maxPeers, 1, 100_000, true),
    forgetPeerAfterMs: num(raw, 'forget-peer-after', D.forgetPeerAfterMs, 0, 365 * 24 * 3_600_000, true),
    compactAfterOps: num(raw, 'compact-after', D.compactAfterOps, 0, Number.MAX_SAFE_INTEGER, true),
    clusterKeyFile: nonEmpty(raw, 'cluster-key-file'),
    clientToken: nonEmpty(raw, 'client-token'),
    clientTokenFile: nonEmpty(raw, 'client-token-file'),
    unsafe: {
      noFsync: raw['unsafe-no-fsync'] === true,
      noCausalDelivery: raw['unsafe-no-causal-delivery'] === true,
      noAntiEntropy: raw['unsafe-no-anti-entropy'] === true,
      lwwNoTiebreak: raw['unsafe-lww-no-tiebreak'] === true,
      truncateOnCorruption: raw['unsafe-truncate-on-corruption'] === true,
    },
  };
}
