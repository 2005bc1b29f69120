/**
 * Setup of the `unit` Vitest project: pure code starts no process and opens no socket. Every way to
 * do either (child_process, net, tls, http(s), dgram, fetch, WebSocket) throws a loud error, and a
 * test that caught and swallowed that error still fails in afterEach. A test that needs a process or
 * a socket belongs in the integration project (scripts/test-projects.ts).
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { afterEach } from 'vitest';

const require = createRequire(import.meta.url);

export class UnitIsolationError extends Error {
  constructor(what: string) {
    super(`unit project: ${what} was called — unit tests start no process and open no socket; move this test to the integration project (scripts/test-projects.ts)`);
    this.name = 'UnitIsolationError';
  }
}

const g = globalThis as { __unitViolations?: string[] };
const violations: string[] = (g.__unitViolations ??= []);

function forbid(what: string): never {
  violations.push(what);
  throw new UnitIsolationError(what);
}

function ban(mod: string, names: string[]): void {
  const m = require(mod) as Record<string, unknown>;
  for (const n of names) {
    if (typeof m[n] !== 'function') continue;
    m[n] = function forbidden(): never { return forbid(`${mod}.${n}()`); };
  }
}

if (!(globalThis as { __unitGuard?: boolean }).__unitGuard) {
  (globalThis as { __unitGuard?: boolean }).__unitGuard = true;
  ban('node:child_process', ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']);
  ban('node:net', ['connect', 'createConnection', 'createServer']);
  ban('node:tls', ['connect', 'createServer']);
  ban('node:http', ['request', 'get', 'createServer']);
  ban('node:https', ['request', 'get', 'createServer']);
  ban('node:http2', ['connect', 'createServer', 'createSecureServer']);
  ban('node:dgram', ['createSocket']);
  const net = require('node:net') as typeof import('node:net');
  net.Server.prototype.listen = function listen(): never { return forbid('net.Server.listen()'); } as never;
  net.Socket.prototype.connect = function connect(): never { return forbid('net.Socket.connect()'); } as never;
  globalThis.fetch = (() => forbid('fetch()')) as typeof fetch;
  if ('WebSocket' in globalThis) (globalThis as Record<string, unknown>).WebSocket = function WebSocket(): never { return forbid('new WebSocket()'); };
  // ESM named imports of builtins (import { spawn } from 'node:child_process') follow the patched CJS exports
  syncBuiltinESMExports();
}

afterEach(() => {
  if (violations.length === 0) return;
  const seen = violations.splice(0);
  throw new UnitIsolationError(`${[...new Set(seen)].join(', ')} (the error was caught inside the test)`);
});
