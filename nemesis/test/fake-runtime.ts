/**
 * A Runtime that records the fault calls it gets, in order, for orchestration tests. Optional
 * hooks make a call fail or hang. It starts nothing: it is not a stand-in for the real tests.
 */
import type { Runtime, Grudge, LinkFault, NodeEndpoint } from '../../api/runtime.ts';
import type { NemesisContext } from '../../api/fault.ts';
import type { Op, OpInput } from '../../api/history.ts';
import { Rng } from '../../api/rng.ts';

export type Call =
  | { m: 'partition'; grudge: Grudge } | { m: 'heal' }
  | { m: 'pause' | 'resume' | 'kill' | 'restart'; node: string }
  | { m: 'clock'; node: string; offsetMs: number } | { m: 'freeze'; node: string; atMs: number }
  | { m: 'link'; from: string; to: string; fault: LinkFault } | { m: 'clearLinks' };

export class FakeRuntime implements Runtime {
  readonly info = { name: 'sim' as const, mechanisms: {} };
  readonly calls: Call[] = [];
  /** return a promise to replace the call's outcome (reject to fail it, never settle to hang) */
  hook: (c: Call) => Promise<void> | undefined = () => undefined;

  private do(c: Call): Promise<void> {
    this.calls.push(c);
    return this.hook(c) ?? Promise.resolve();
  }
  cannotServe(): string[] { return []; }
  async setup(): Promise<NodeEndpoint[]> { return []; }
  async teardown(): Promise<void> {}
  endpoints(): NodeEndpoint[] { return []; }
  kill(node: string) { return this.do({ m: 'kill', node }); }
  restart(node: string) { return this.do({ m: 'restart', node }); }
  pause(node: string) { return this.do({ m: 'pause', node }); }
  resume(node: string) { return this.do({ m: 'resume', node }); }
  partition(grudge: Grudge) { return this.do({ m: 'partition', grudge }); }
  heal() { return this.do({ m: 'heal' }); }
  setClockOffset(node: string, offsetMs: number) { return this.do({ m: 'clock', node, offsetMs }); }
  /** optional in Runtime: set it to undefined to play a runtime that cannot freeze */
  freezeClock?: (node: string, atMs: number) => Promise<void> = (node, atMs) => this.do({ m: 'freeze', node, atMs });
  setLinkFault(from: string, to: string, fault: LinkFault) { return this.do({ m: 'link', from, to, fault }); }
  clearLinkFaults() { return this.do({ m: 'clearLinks' }); }
  logPath(node: string): string { return `/dev/null/${node}`; }
}

export interface TestContext extends NemesisContext {
  ops: Op[];
  lines: string[];
  runtime: FakeRuntime;
}

export function fakeContext(nodes: string[], seed: number, onRecord?: (op: Op) => void): TestContext {
  const ops: Op[] = [];
  const lines: string[] = [];
  const runtime = new FakeRuntime();
  return {
    runtime, nodes, rng: new Rng(seed), ops, lines,
    record(op: OpInput) {
      // deep copy, as a recorder that serializes at once would
      const full: Op = { ...JSON.parse(JSON.stringify(op)), index: ops.length, time: ops.length };
      ops.push(full);
      onRecord?.(full);
    },
    log(line: string) { lines.push(line); },
  };
}

/** resolves once cond() holds, checking every few ms (no time bound: the test runner's timeout is the bound) */
export async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}
