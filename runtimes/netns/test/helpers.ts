/** Shared bits of the netns tests: when to skip, and what a run left behind. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { netnsAvailable } from '../available.ts';
import { statePath } from '../state.ts';
import { processesMentioning } from '../../test/helpers.ts';

/** false when namespaces work here, else why the tests skip */
export function skipReason(): string | false {
  const a = netnsAvailable();
  return a.ok ? false : `netns runtime unavailable: ${a.why}`;
}

const sh = (bin: string, args: string[]) => { try { return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }); } catch { return ''; } };

/** every namespace, link, FORWARD rule, state file and process of the run with this tag */
export function leftoversOf(tag: string, runDir?: string): string[] {
  const out: string[] = [];
  for (const l of sh('ip', ['netns', 'list']).split('\n')) if (l.includes(`sb-${tag}`)) out.push(`netns ${l.trim()}`);
  for (const l of sh('ip', ['-br', 'link']).split('\n')) if (l.includes(`sb-${tag}`)) out.push(`link ${l.trim()}`);
  for (const l of sh('iptables', ['-w', '-S', 'FORWARD']).split('\n')) if (l.includes(`splitbrain-netns-${tag}`)) out.push(`rule ${l.trim()}`);
  if (existsSync(statePath(tag))) out.push(`state ${statePath(tag)}`);
  for (const pid of processesMentioning(statePath(tag))) out.push(`watcher ${pid}`);
  if (runDir) for (const pid of processesMentioning(runDir)) out.push(`process ${pid}`);
  return out;
}

/** wait (bounded) until the run left nothing; throws with what is left */
export async function assertNothingLeft(tag: string, runDir?: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let left = leftoversOf(tag, runDir);
  while (left.length && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    left = leftoversOf(tag, runDir);
  }
  if (left.length) throw new Error(`run ${tag} left behind:\n${left.join('\n')}`);
}
