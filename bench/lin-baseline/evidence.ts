import { eventOrder } from './event-order.ts';
import { ILLEGAL, type LinOp, type Model } from '../../checkers/linearizability/model.ts';

/**
 * The counterexample for one illegal partition, shaped for a person and for the report's drawing
 * (porcupine's visualizer): the partition's ops per client, the longest partial linearization the
 * search found, the model state after it, and every op that could have gone next, each with why
 * it could not.
 */
export interface OpView {
  /** index within the partition; the other fields refer to ops by this id */
  id: number;
  process: number | string;
  /** invoke/complete times (ns for our histories, line numbers for published logs); complete null = pending */
  invoke: number;
  complete: number | null;
  describe: string;
  historyIndex?: number;
}

export interface LinearizedStep {
  id: number;
  describe: string;
  stateAfter: string;
}

export interface UnplaceableOp {
  id: number;
  process: number | string;
  describe: string;
  why: string;
}

export interface PartitionEvidence {
  /** the partition's key, null when the model is not partitioned */
  key: string | number | null;
  opCount: number;
  /** the ops around the failure (all of them for small partitions) */
  ops: OpView[];
  opsOmitted: number;
  /** the longest order of ops the search could justify, oldest first (its tail, for long ones) */
  longestLinearization: LinearizedStep[];
  linearizationStepsOmitted: number;
  initialState: string;
  /** the model state after the longest linearization: the state the next op must fit */
  stateBefore: string;
  /** every op that could have been linearized next; none works */
  couldNotPlace: UnplaceableOp[];
  /** one paragraph saying the same in words */
  explanation: string;
}

const MAX_OPS = 300;
const MAX_STEPS = 100;
const FOCUS_STEPS = 20;

function view(ops: readonly LinOp[], model: Model<any, any, any>, id: number): OpView {
  const op = ops[id]!;
  const pending = op.ret === Infinity || op.inferredReturn === true;
  const v: OpView = {
    id,
    process: op.process,
    invoke: op.invokeTime ?? op.call,
    complete: pending ? null : (op.completeTime ?? op.ret),
    describe: model.describeOp(op.input, pending ? undefined : op.output),
  };
  if (op.historyIndex !== undefined) v.historyIndex = op.historyIndex;
  return v;
}

export function buildEvidence<S>(
  key: string | number | null,
  ops: readonly LinOp[],
  model: Model<S, any, any>,
  longest: readonly number[],
): PartitionEvidence {
  const describe = (id: number) => {
    const op = ops[id]!;
    return model.describeOp(op.input, op.ret === Infinity || op.inferredReturn ? undefined : op.output);
  };

  // replay the longest linearization (every step was legal when the search took it); only the
  // last MAX_STEPS are shown, so only those are described
  const init = model.init();
  let state = init;
  const steps: LinearizedStep[] = [];
  const firstShownStep = longest.length - MAX_STEPS;
  const placed = new Uint8Array(ops.length);
  longest.forEach((id, i) => {
    const next = model.step(state, ops[id]!.input, ops[id]!.ret === Infinity ? undefined : ops[id]!.output);
    if (next !== ILLEGAL) state = next as S;
    placed[id] = 1;
    if (i >= firstShownStep) steps.push({ id, describe: describe(id), stateAfter: model.describeState(state) });
  });

  // the ops that could go next: remaining calls before the first remaining return
  const candidates: number[] = [];
  let blocker = -1;
  for (const ev of eventOrder(ops)) {
    const id = ev >> 1;
    if (placed[id]) continue;
    if (ev & 1) { blocker = id; break; }
    candidates.push(id);
  }
  const stateText = model.describeState(state);
  const couldNotPlace: UnplaceableOp[] = candidates.map((id) => {
    const op = ops[id]!;
    const next = model.step(state, op.input, op.ret === Infinity ? undefined : op.output);
    const why = next === ILLEGAL
      ? `impossible when the state is ${stateText}`
      : `possible (state would become ${model.describeState(next as S)}), but then no order of the remaining ops works`;
    return { id, process: op.process, describe: describe(id), why };
  });

  // ops to show: all, or for big partitions those overlapping the failure's neighbourhood
  let shown: number[];
  if (ops.length <= MAX_OPS) {
    shown = ops.map((_, i) => i);
  } else {
    const focus = [...longest.slice(-FOCUS_STEPS), ...candidates];
    let lo = Infinity, hi = -Infinity;
    for (const id of focus) {
      lo = Math.min(lo, ops[id]!.call);
      hi = Math.max(hi, ops[id]!.call, ops[id]!.ret === Infinity ? -Infinity : ops[id]!.ret);
    }
    shown = [];
    for (let i = 0; i < ops.length && shown.length < MAX_OPS; i++) {
      if (ops[i]!.call <= hi && ops[i]!.ret >= lo) shown.push(i);
    }
  }

  // why nothing else may go next: every other remaining op was called after the blocker returned
  const blockerText = blocker < 0
    ? ''
    : candidates.length === 1
      ? ` Every other remaining op was called after ${describe(blocker)} (process ${ops[blocker]!.process}) returned, so it had to come next.`
      : ` Every other remaining op was called after ${describe(blocker)} (process ${ops[blocker]!.process}) returned, so one of these had to come next.`;
  const explanation =
    `After linearizing ${longest.length} of ${ops.length} ops${key === null ? '' : ` for key ${JSON.stringify(key)}`}, ` +
    `the state is ${stateText} and no op that could go next fits:` +
    couldNotPlace.map((c, i) => ` ${c.describe} (process ${c.process}) is ${c.why}${i === couldNotPlace.length - 1 ? '.' : ';'}`).join('') +
    blockerText;

  return {
    key,
    opCount: ops.length,
    ops: shown.map((id) => view(ops, model, id)),
    opsOmitted: ops.length - shown.length,
    longestLinearization: steps,
    linearizationStepsOmitted: longest.length - steps.length,
    initialState: model.describeState(init),
    stateBefore: stateText,
    couldNotPlace,
    explanation,
  };
}
