import { rwRegisterChecker } from '../checkers/txn/index.ts';
import { txnWorkload } from './txn.ts';

/**
 * rw-register: Elle's read-write register transactions (issue #16). Each op is one txn, f "txn":
 *   invoke `[["w", k, v], ["r", k, null], ...]` → ok `[["w", k, v], ["r", k, v | null], ...]`
 * (null: the key was never written). Written values are unique per key. Keys rotate after
 * `max-writes-per-key` writes. Checked by checkers/txn (rw-register) against `consistency-models`:
 * registers hide most of the version order, so fewer anomalies can be proven than with
 * list-append (see checkers/txn/rw-register.ts for what is inferred).
 */
export const rwRegister = txnWorkload({
  name: 'rw-register',
  description: "Elle's read-write register transactions over rotating keys; checks isolation against the chosen consistency models",
  write: 'w',
  checker: rwRegisterChecker,
});
