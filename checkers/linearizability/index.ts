/**
 * Linearizability checker: Wing & Gong's search with Lowe's memoization and P-compositionality,
 * porcupine's design, written from the papers. See search.ts for the algorithm.
 */
export { checkLinearizability, checkLinearizabilityAsync, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_CACHE_ENTRIES, DEFAULT_MAX_CACHE_BYTES } from './check.ts';
export type { LinOptions, LinResult } from './check.ts';
export type { PartitionEvidence, OpView, LinearizedStep, UnplaceableOp } from './evidence.ts';
export { ILLEGAL, isPending } from './model.ts';
export type { Model, LinOp, ReadResult } from './model.ts';
export { models, registerModel, casRegisterModel, kvModel, kvSingleModel, lwwModel } from './models/index.ts';
export { readJepsenEtcdLog } from './readers/etcd-log.ts';
export { readKvLog } from './readers/kv-log.ts';
export { readHistoryJsonl, lwwOpsFromHistory } from './readers/history.ts';
export { checkFile, checkRead, checkReadAsync, detectFormat, modelByName, LinUsageError } from './check-file.ts';
export type { HistoryFormat } from './check-file.ts';
export { linearizabilityChecker } from './checker.ts';
export { formatLinResult } from './format.ts';
