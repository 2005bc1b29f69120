/**
 * The netns runtime passes the runtime conformance suite, and after teardown nothing of the run is
 * left. exactDelay: on a kernel without sch_netem the runtime says it cannot delay links exactly
 * (htb only shapes rate), and the suite skips its delay test with that reason.
 */
import { describe } from 'vitest';
import { NetnsRuntime } from '../runtime.ts';
import { runtimeConformance } from '../../test/conformance.ts';
import { leftoversOf, skipReason } from './helpers.ts';
import { waitFor } from '../../test/helpers.ts';

const skip = skipReason();
if (skip) describe('runtime conformance: netns', { skip: !!skip }, () => {});
else {
  runtimeConformance('netns', () => new NetnsRuntime({ readyTimeoutMs: 20_000, log: () => {}, exactDelay: true }), {
    leftovers: (rt, runDir) => {
      const tag = (rt as NetnsRuntime).runTag!;
      return async () => {
        await waitFor('the run to leave nothing', () => leftoversOf(tag, runDir).length === 0, 10_000).catch(() => {});
        return leftoversOf(tag, runDir);
      };
    },
  });
}
