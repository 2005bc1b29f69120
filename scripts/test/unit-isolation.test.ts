// The unit project starts no process and opens no socket: its setup (scripts/vitest-unit-setup.ts)
// makes every way to do so throw loudly. These tests run in the unit project and check the stubs.
import { test, expect, afterEach } from 'vitest';
import * as cp from 'node:child_process';
import { spawn, execFileSync } from 'node:child_process';
import net from 'node:net';
import { createServer, request } from 'node:http';
import dgram from 'node:dgram';

const violations = (globalThis as { __unitViolations?: string[] }).__unitViolations!;
// each test here provokes a violation on purpose: forget it so the setup's afterEach does not fail the test
afterEach(() => { violations.splice(0); });

test('the unit project has its isolation setup', () => {
  expect((globalThis as { __unitGuard?: boolean }).__unitGuard).toBe(true);
  expect(Array.isArray(violations)).toBe(true);
});

test('child_process: spawn, execFileSync, exec, fork throw (named and namespace imports)', () => {
  expect(() => spawn(process.execPath, ['-e', '1'])).toThrow(/unit project: node:child_process\.spawn\(\)/);
  expect(() => execFileSync('true')).toThrow(/execFileSync/);
  expect(() => cp.exec('true')).toThrow(/exec\(\)/);
  expect(() => cp.fork('x.js')).toThrow(/fork/);
  expect(() => cp.spawnSync('true')).toThrow(/spawnSync/);
  expect(violations.length).toBe(5);
});

test('sockets: net.connect, net.createServer, listen, http.request, http.createServer, dgram, fetch throw', async () => {
  expect(() => net.connect(1, '127.0.0.1')).toThrow(/net\.connect/);
  expect(() => net.createServer()).toThrow(/net\.createServer/);
  expect(() => new net.Socket().connect(1, '127.0.0.1')).toThrow(/Socket\.connect/);
  expect(() => new net.Server().listen(0)).toThrow(/Server\.listen/);
  expect(() => request('http://127.0.0.1:1/')).toThrow(/node:http\.request/);
  expect(() => createServer()).toThrow(/node:http\.createServer/);
  expect(() => dgram.createSocket('udp4')).toThrow(/dgram/);
  expect(() => fetch('http://127.0.0.1:1/')).toThrow(/fetch/);
});

test('a swallowed violation is still recorded for the afterEach check', () => {
  try { spawn('true'); } catch { /* swallowed, as careless code would */ }
  expect(violations).toContain('node:child_process.spawn()');
});
