import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempRunDir } from '../../test/helpers.ts';
import { assertNothingLeft, leftoversOf, skipReason } from './helpers.ts';

const skip = skipReason();
const CHILD = fileURLToPath(new URL('./harness-child.ts', import.meta.url));

/** start the stand-in harness; resolves with its run's tag once the cluster serves */
function startHarness(runDir: string): Promise<{ pid: number; tag: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, runDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve({ pid: child.pid!, tag: (JSON.parse(buf.slice(0, buf.indexOf('\n'))) as { tag: string }).tag });
    });
    child.once('exit', (code, sig) => reject(new Error(`harness exited early (${code ?? sig})`)));
  });
}

describe('netns runtime: nothing outlives the harness', { skip: !!skip, timeout: 120_000 }, () => {
  for (const sig of ['SIGKILL', 'SIGTERM'] as const) {
    test(`${sig} mid-run: no namespace, veth, bridge, rule, state file or process of that run remains`, async () => {
      const tmp = tempRunDir(`netns-${sig}`);
      try {
        const { pid, tag } = await startHarness(tmp.dir);
        assert.ok(leftoversOf(tag, tmp.dir).some((l) => l.startsWith('netns')), 'the cluster was up');
        process.kill(pid, sig);
        await assertNothingLeft(tag, tmp.dir, 15_000);
      } finally {
        tmp.remove();
      }
    });
  }
});
