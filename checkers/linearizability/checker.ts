import type { Checker } from '../../api/checker.ts';
import { DEFAULT_TIMEOUT_MS } from './check.ts';
import { checkReadAsync } from './check-file.ts';
import { lwwModel } from './models/register.ts';
import { lwwOpsFromHistory } from './readers/history.ts';

/**
 * The lww workload's linearizability checker: each key a read/write/cas register starting at
 * null. Options: ctx.options.linTimeoutMs (default 60 s), ctx.options.linMaxCacheEntries.
 */
export const linearizabilityChecker: Checker = (history, ctx) => {
  const opts = ctx.options ?? {};
  const timeoutMs = typeof opts.linTimeoutMs === 'number' && opts.linTimeoutMs > 0 ? opts.linTimeoutMs : DEFAULT_TIMEOUT_MS;
  const maxCacheEntries = typeof opts.linMaxCacheEntries === 'number' && opts.linMaxCacheEntries > 0 ? opts.linMaxCacheEntries : undefined;
  return checkReadAsync(lwwOpsFromHistory(history), lwwModel, { timeoutMs, maxCacheEntries });
};
