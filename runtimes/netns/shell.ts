/**
 * The thin shell around `ip`, `iptables` and `tc`: run one command (argv, optional stdin) and
 * report its exit code and output. Nothing here decides what to run: plan.ts does.
 */
import { spawn, spawnSync } from 'node:child_process';

export interface Cmd { argv: string[]; stdin?: string }
export interface CmdResult { code: number; out: string }

export function run(cmd: Cmd): Promise<CmdResult> {
  return new Promise((resolve) => {
    const [bin, ...args] = cmd.argv;
    const p = spawn(bin!, args, { stdio: [cmd.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d) => { out += d; });
    p.stderr!.on('data', (d) => { out += d; });
    p.on('error', (e) => resolve({ code: 127, out: e.message }));
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
    if (p.stdin) {
      p.stdin.on('error', () => {}); // it may exit before reading; its exit code says so
      p.stdin.end(cmd.stdin);
    }
  });
}

/** run it and throw with its output unless it exits 0 */
export async function must(cmd: Cmd, what: string): Promise<string> {
  const r = await run(cmd);
  if (r.code !== 0) throw new Error(`netns runtime: ${what}: \`${cmd.argv.join(' ')}\` failed (${r.code}): ${r.out.trim()}`);
  return r.out;
}

/** synchronous, for cleanup where the event loop may not run again (exit handlers, the watcher) */
export function runSync(cmd: Cmd): CmdResult {
  const [bin, ...args] = cmd.argv;
  const r = spawnSync(bin!, args, { input: cmd.stdin, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 10_000 });
  return { code: r.status ?? (r.error ? 127 : -1), out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}
