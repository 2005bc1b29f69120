import type { Op } from '../api/history.ts';
import type { CheckContext, CheckResult } from '../api/checker.ts';

/** The checkers in this folder are synchronous; this narrower type is still a `Checker`. */
export type SyncChecker = (history: readonly Op[], ctx: CheckContext) => CheckResult;
