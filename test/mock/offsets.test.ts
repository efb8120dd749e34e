import assert from 'node:assert/strict';
import { OffsetCodec } from '../../src/mock/offsets.js';

describe('mock offset tokens', () => {
  const claims = { position: { timeMs: 1_736_000_000_123, seq: 42 }, filterKey: OffsetCodec.filterKey({ event_type: 'x' }), issuedAtMs: 5 };

  it('reads back the claims it issued', () => {
    const codec = new OffsetCodec();
    assert.deepEqual(codec.check(codec.issue(claims)), { ok: true, claims });
  });

  it('rejects tokens from another secret, edited tokens and junk', () => {
    const codec = new OffsetCodec();
    const token = codec.issue(claims);
    assert.deepEqual(new OffsetCodec().check(token), { ok: false, reason: 'forged' });
    const [payload, mac] = token.split('.') as [string, string];
    const edited = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('42', '41')).toString('base64url');
    assert.equal(codec.check(`${edited}.${mac}`).ok, false);
    assert.equal(codec.check('not-a-token').ok, false);
  });

  it('gives equal filter sets equal keys whatever the key order, and different sets different keys', () => {
    assert.equal(OffsetCodec.filterKey({ a: '1', b: 2, c: undefined }), OffsetCodec.filterKey({ b: 2, a: '1' }));
    assert.notEqual(OffsetCodec.filterKey({ a: '1' }), OffsetCodec.filterKey({ a: '2' }));
    assert.notEqual(OffsetCodec.filterKey({ start_at: 1 }), OffsetCodec.filterKey({ end_at: 1 }));
  });
});
