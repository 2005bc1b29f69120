/** Transactional isolation checking (issue #16): Elle's list-append and rw-register inference. */
export { checkTxns, listAppendChecker, rwRegisterChecker, txnChecker, modelsOf, type TxnCheckOptions, type TxnKind } from './checker.ts';
export { MODELS, PROHIBITED, type Model } from './models.ts';
export { cycleText } from './explain.ts';
export type { CycleAnomaly, OpAnomaly, Anomaly, CycleStep, TxnRef, MicroOp } from './types.ts';
export { cycleLayout, cycleSvg, type CycleLayout } from './layout.ts';
