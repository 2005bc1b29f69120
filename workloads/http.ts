/**
 * HTTP calls to a maep node with the error mapping every workload shares:
 * - a 4xx answer is a definite refusal → fail (409 insufficient funds / cas mismatch, 400 bad input);
 * - the connection refused (nothing was sent) → fail;
 * - a timeout, a reset after sending, a 5xx → info: the request may or may not have been applied.
 * Node's fetch (undici) keeps connections alive by default.
 */
export type HttpOutcome =
  | { kind: 'ok'; status: number; body: any }
  | { kind: 'refused'; status?: number; body?: any; error: string }
  | { kind: 'unknown'; error: string };

export async function httpJson(method: string, url: string, body: unknown, signal: AbortSignal, timeoutMs: number): Promise<HttpOutcome> {
  const sig = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: sig,
    });
  } catch (e) {
    return classifyFetchError(e, signal);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    return classifyFetchError(e, signal);
  }
  let parsed: any = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
  if (res.status >= 200 && res.status < 300) return { kind: 'ok', status: res.status, body: parsed };
  if (res.status >= 400 && res.status < 500) {
    const msg = parsed && typeof parsed === 'object' && typeof parsed.error === 'string' ? parsed.error : `http ${res.status}`;
    return { kind: 'refused', status: res.status, body: parsed, error: msg };
  }
  return { kind: 'unknown', error: `http ${res.status}` };
}

function causeCode(e: unknown): string | undefined {
  let cur: any = e;
  for (let i = 0; i < 5 && cur; i++) {
    if (typeof cur.code === 'string') return cur.code;
    cur = cur.cause;
  }
  return undefined;
}

function classifyFetchError(e: unknown, outer: AbortSignal): HttpOutcome {
  const code = causeCode(e);
  // nothing reached the node: definitely not applied
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL') return { kind: 'refused', error: `connection refused (${code})` };
  const name = (e as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'unknown', error: outer.aborted ? 'interrupted' : 'timeout' };
  return { kind: 'unknown', error: code ? `connection error (${code})` : String((e as Error)?.message ?? e) };
}

/** POST /admin/sync: maep starts anti-entropy with its peers at once (speeds up the final reads) */
export async function requestSync(base: string, signal: AbortSignal, timeoutMs: number): Promise<void> {
  await httpJson('POST', `${base}/admin/sync`, {}, signal, timeoutMs);
}
