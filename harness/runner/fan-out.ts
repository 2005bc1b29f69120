/**
 * n signals that all abort when `parent` does, through one listener on the parent. Each worker
 * gets its own, so the listeners its requests add come and go on its signal alone; n requests
 * listening on one shared signal would pile up there (and trip Node's listener-leak warning).
 */
export function fanOut(parent: AbortSignal, n: number): AbortSignal[] {
  const controllers = Array.from({ length: n }, () => new AbortController());
  const abortAll = () => { for (const c of controllers) c.abort(parent.reason); };
  if (parent.aborted) abortAll();
  else parent.addEventListener('abort', abortAll, { once: true });
  return controllers.map((c) => c.signal);
}
