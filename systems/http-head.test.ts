import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseResponseHead } from './http-head.ts';

/** the framing headers as RFC 9112 reads them: names in any case, values trimmed, tokens by comma */
function expected(minor: 0 | 1, status: number, headers: [string, string][]) {
  let length = -1, chunked = false, close = minor === 0;
  for (const [name, raw] of headers) {
    const value = raw.trim().toLowerCase();
    const tokens = value.split(',').map((t) => t.trim());
    switch (name.trim().toLowerCase()) {
      case 'content-length': length = Number(value); break;
      case 'transfer-encoding': chunked = tokens.includes('chunked'); break;
      case 'connection': close = tokens.includes('close') || (close && !value.includes('keep-alive')); break;
    }
  }
  if (chunked) length = -1;
  else if (status === 204 || status === 304) length = 0;
  return { status, length, chunked, close };
}

const anyCase = (s: string) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));
const pad = fc.constantFrom('', ' ', '  ', '\t');
const header: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(anyCase('content-length'), fc.nat(1e9).map(String)),
  fc.tuple(anyCase('transfer-encoding'), fc.constantFrom('chunked', 'gzip, chunked', 'Chunked', 'gzip', 'identity')),
  fc.tuple(anyCase('connection'), fc.constantFrom('close', 'keep-alive', 'Keep-Alive', 'upgrade, close', 'te')),
  fc.tuple(fc.constantFrom('Content-Type', 'Date', 'Keep-Alive', 'content-lengths', 'X-Connection', 'Server', 'transfer'), fc.constantFrom('application/json', 'timeout=5', 'close', 'chunked', '12')),
).chain(([n, v]) => fc.tuple(pad, pad).map(([before, after]): [string, string] => [n, `${before}${v}${after}`]));

test('the framing of any response head: status, content-length, chunked, connection close, as the RFC reads them', () => {
  fc.assert(fc.property(fc.constantFrom(0 as const, 1 as const), fc.integer({ min: 100, max: 599 }), fc.array(header, { maxLength: 8 }), fc.constantFrom('OK', '', 'Whatever Reason'), (minor, status, headers, reason) => {
    const text = `HTTP/1.${minor} ${status} ${reason}` + headers.map(([n, v]) => `\r\n${n}:${v}`).join('');
    assert.deepEqual(parseResponseHead(text), expected(minor, status, headers));
  }), { numRuns: 2000 });
});

test('a head that is not HTTP/1.x or has a bad content-length is an error naming it', () => {
  assert.throws(() => parseResponseHead('SSH-2.0-OpenSSH'), /not an HTTP response: "SSH-2.0-OpenSSH"/);
  assert.throws(() => parseResponseHead('HTTP/2 200'), /not an HTTP response/);
  assert.throws(() => parseResponseHead('HTTP/1.1 2x0 OK'), /not an HTTP response/);
  assert.throws(() => parseResponseHead('HTTP/1.1 200 OK\r\ncontent-length: 12a'), /bad content-length "12a"/);
  assert.throws(() => parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999'), /bad content-length/);
  assert.deepEqual(parseResponseHead('HTTP/1.1 200'), { status: 200, length: -1, chunked: false, close: false });
});
