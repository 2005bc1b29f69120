/** The in-memory tar that carries LaunchSpec.files to a remote engine reads back with tar(1)'s format rules. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tarOf } from '../tar.ts';

/** a minimal ustar reader: name, size, checksum and body of each entry */
function untar(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (let at = 0; at + 512 <= buf.length;) {
    const h = buf.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(h.subarray(124, 136).toString('ascii'), 8);
    const sum = parseInt(h.subarray(148, 156).toString('ascii'), 8);
    let actual = 0;
    for (let i = 0; i < 512; i++) actual += i >= 148 && i < 156 ? 32 : h[i]!;
    assert.equal(sum, actual, `checksum of ${name}`);
    assert.equal(h.subarray(257, 263).toString('binary'), 'ustar\0');
    out[name] = buf.subarray(at + 512, at + 512 + size).toString('utf8');
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

test('files round-trip through the archive, whatever their text', () => {
  fc.assert(fc.property(fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9._-]{0,40}$/), fc.string({ maxLength: 2000 })), (files) => {
    const buf = tarOf(files);
    assert.equal(buf.length % 512, 0);
    assert.deepEqual(untar(buf), { ...files });
  }));
});

test('a name tar cannot hold is refused', () => {
  assert.throws(() => tarOf({ ['x'.repeat(100)]: '' }), /over 99 bytes/);
});
