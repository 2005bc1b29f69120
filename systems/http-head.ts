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
    const name = headerName(text, start, colon);
    if (name === null) continue;
    const value = text.slice(colon + 1, end).trim().toLowerCase();
    if (name === 'content-length') {
      length = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(length)) throw new Error(`bad content-length ${JSON.stringify(value)}`);
    } else if (name === 'transfer-encoding') chunked = value.split(',').some((v) => v.trim() === 'chunked');
    else close = value.split(',').some((v) => v.trim() === 'close') || (close && !value.includes('keep-alive'));
  }
  if (chunked) length = -1;
  else if (status === 204 || status === 304) length = 0;
  return { status, length, chunked, close };
}

type Framing = 'content-length' | 'transfer-encoding' | 'connection';

/** the header's name if it is one that frames the answer, else null (without lowering every name) */
function headerName(text: string, start: number, colon: number): Framing | null {
  // names are short and most are not ours: look at the first letter before building a string
  const c = text.charCodeAt(start) | 0x20;
  if (c !== 0x63 /* c */ && c !== 0x74 /* t */ && c !== 0x20 && c !== 0x29 /* space or tab, lowered */) return null;
  const name = text.slice(start, colon).trim().toLowerCase();
  return name === 'content-length' || name === 'transfer-encoding' || name === 'connection' ? name : null;
}

function isDigit(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
}
