/** Shared helpers for the local runtime's tests: the runtime-neutral ones, and the probe node's client. */
export { assertAllGone, probeSpec, processesMentioning, tempRunDir, waitFor } from '../../test/helpers.ts';
export { clock, getKey, health, putKey, reachable, syncNow } from '../../test/fixtures/probe-client.ts';
