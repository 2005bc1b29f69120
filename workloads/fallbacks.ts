import type { Expected } from '../api/checker.ts';

/** stats holds for any system: a run where no op of a kind succeeded tested nothing */
export const STATS_FALLBACK: Expected = { expected: 'valid', why: 'some ops of each kind must succeed, or the run tested nothing' };
