/**
 * The head of an HTTP/1.x response (the text before the empty line), reduced to what a client
 * needs to frame the body and keep the connection (pure). A hand-written scan, no regex or split
 * per line: this runs once per request of every harness worker (issue #20, CPU per op).
 */
export interface ResponseHead {
  status: number;
  /** the body's length; -1 when chunked or read until the connection closes */
  length: number;
  chunked: boolean;
  /** the server closes the connection after this answer */
  close: boolean;
}

/** throws on a head that is not an HTTP/1.x response or has a bad content-length */
export function parseResponseHead(text: string): ResponseHead {
  const minor = text.charCodeAt(7);
  if (!text.startsWith('HTTP/1.') || (minor !== 48 && minor !== 49) || text.charCodeAt(8) !== 32 || !isDigit(text, 9) || !isDigit(text, 10) || !isDigit(text, 11)) {
    throw new Error(`not an HTTP response: ${JSON.stringify(text.slice(0, 40))}`);
  }
  const status = Number(text.slice(9, 12));
  let length = -1, chunked = false, close = minor === 48;
  let eol = text.indexOf('\r\n');
  while (eol >= 0) {
    const start = eol + 2;
    eol = text.indexOf('\r\n', start);
    const end = eol < 0 ? text.length : eol;
    const colon = text.indexOf(':', start);
    if (colon < 0 || colon > end) continue;
    const name = framingHeader(text, start, colon);
    if (name === null) continue;
    const value = text.slice(colon + 1, end).trim().toLowerCase();
    if (name === 'content-length') {
      length = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(length)) throw new Error(`bad content-length ${JSON.stringify(value)}`);
    } else if (name === 'transfer-encoding') chunked = hasToken(value, 'chunked');
    else close = hasToken(value, 'close') || (close && !value.includes('keep-alive'));
  }
  if (chunked) length = -1;
  else if (status === 204 || status === 304) length = 0;
  return { status, length, chunked, close };
}

type Framing = 'content-length' | 'transfer-encoding' | 'connection';
const FRAMING: readonly Framing[] = ['content-length', 'transfer-encoding', 'connection'];

/** the header's name if it frames the answer (in any case, blanks around it), else null; builds no string */
function framingHeader(text: string, start: number, colon: number): Framing | null {
  while (start < colon && isBlank(text.charCodeAt(start))) start++;
  while (colon > start && isBlank(text.charCodeAt(colon - 1))) colon--;
  for (const name of FRAMING) {
    if (colon - start !== name.length) continue;
    let i = 0;
    while (i < name.length && lower(text.charCodeAt(start + i)) === name.charCodeAt(i)) i++;
    if (i === name.length) return name;
  }
  return null;
}

const isBlank = (c: number) => c === 32 || c === 9;
const lower = (c: number) => (c >= 65 && c <= 90 ? c | 0x20 : c);
/** `token` is one of the value's comma-separated tokens (the usual single-token value without a split) */
const hasToken = (value: string, token: string) => value === token || (value.includes(',') && value.split(',').some((v) => v.trim() === token));

function isDigit(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
}
