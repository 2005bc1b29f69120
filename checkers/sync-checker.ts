import type { Op } from '../harness/history/op.ts';
import type { CheckContext, CheckResult } from './types.ts';

/** The checkers in this folder are synchronous; this narrower type is still a `Checker`. */
export type SyncChecker = (history: readonly Op[], ctx: CheckContext) => CheckResult;
