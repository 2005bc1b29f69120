import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ClusterKey, SESSION_KEY_BYTES } from './auth.ts';

const challenge = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b));

test('session keys: both ends derive the same pair; each direction, connection and cluster key gets its own', () => {
  fc.assert(fc.property(challenge, challenge, challenge, (cd, ca, other) => {
    fc.pre(!cd.equals(other) && !ca.equals(other));
    const k = new ClusterKey(Buffer.from('correct horse battery staple 0123456789'));
    const dialer = k.sessionKeys(cd, ca), acceptor = new ClusterKey(Buffer.from('correct horse battery staple 0123456789')).sessionKeys(cd, ca);
    assert.deepEqual(dialer, acceptor);
    assert.equal(dialer.dialerToAcceptor.length, SESSION_KEY_BYTES);
    const all = [
      dialer.dialerToAcceptor, dialer.acceptorToDialer,
      ...Object.values(k.sessionKeys(other, ca)), ...Object.values(k.sessionKeys(cd, other)), ...Object.values(k.sessionKeys(ca, cd)),
      ...Object.values(new ClusterKey(Buffer.from('another cluster entirely, 987654321')).sessionKeys(cd, ca)),
    ];
    assert.equal(new Set(all.map((b) => b.toString('hex'))).size, all.length);
  }), { seed: 18, numRuns: 100 });
});
