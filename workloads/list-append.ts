import { listAppendChecker } from '../checkers/txn/index.ts';
import { txnWorkload } from './txn.ts';

/**
 * list-append: Elle's list-append transactions (issue #16). Each op is one txn, f "txn", value a
 * list of 1..max-txn-length micro-ops over `keys` keys in rotation:
 *   invoke `[["append", k, v], ["r", k, null], ...]` → ok `[["append", k, v], ["r", k, [v ...]], ...]`
 * (an absent key reads as [] or null). Values are unique per key (1, 2, 3, ... per key). A key
 * retires after `max-writes-per-key` appends and a fresh key takes its place, so reads stay short.
 * Checked by checkers/txn (list-append) against `consistency-models`, and by stats.
 */
export const listAppend = txnWorkload({
  name: 'list-append',
  description: "Elle's list-append transactions over rotating keys; checks isolation (G0, G1, G-single, G2, realtime) against the chosen consistency models",
  write: 'append',
  checker: listAppendChecker,
});
