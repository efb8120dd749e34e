import { errorCodeOf } from '../../src/net/deadlineRequests.js';
import assert from 'node:assert/strict';
import { apiMessageOf, classifyHttpFailure, classifyTransportFailure } from '../../src/asana/classifyResponse.js';
import { parseRetryAfter } from '../../src/retry/retryAfter.js';
import { AsanaApiError } from '../../src/asana/asanaApiError.js';
import { OffsetExpiredError } from '../../src/collector/ports.js';
import { CERTIFICATE_FAILURE_CODES, errorBody } from './helpers.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
/** These answers hold no secret, so nothing needs masking. */
const NO_SECRET = (t: string) => t;

function http(status: number, bodyText = '', extra: { retryAfter?: string; sentOffset?: boolean } = {}) {
  const e = classifyHttpFailure({ status, bodyText, redact: NO_SECRET, sentOffset: extra.sentOffset ?? false, retryAfter: extra.retryAfter, nowMs: NOW });
  assert.ok(e instanceof AsanaApiError, `${status} is an AsanaApiError`);
  return e;
}

function offsetRejection(bodyText: string) {
  const e = classifyHttpFailure({ status: 400, bodyText, redact: NO_SECRET, sentOffset: true, nowMs: NOW });
  assert.ok(e instanceof OffsetExpiredError, "a stale offset is the collector's OffsetExpiredError");
  return e;
}

describe('classifying Asana answers', () => {
  it('maps each documented refusal to its code, not retryable, with the API message', () => {
    const expected = { 400: 'bad_request', 401: 'unauthorized', 402: 'payment_required', 403: 'forbidden', 404: 'not_found', 451: 'legal_unavailable' };
    for (const [status, code] of Object.entries(expected)) {
      const e = http(Number(status), errorBody(`msg ${status}`));
      assert.equal(e.code, code);
      assert.equal(e.status, Number(status));
      assert.equal(e.retryable, false);
      assert.equal(e.apiMessage, `msg ${status}`);
      assert.match(e.message, new RegExp(`Asana said: "msg ${status}"`));
    }
  });

  it('treats 5xx and 408 as transient', () => {
    for (const status of [500, 502, 503, 504]) {
      const e = http(status, errorBody('Server Error'));
      assert.equal(e.code, 'server_error');
      assert.equal(e.retryable, true);
    }
    assert.equal(http(408).code, 'timeout');
    assert.equal(http(408).retryable, true);
  });

  it('calls a 400 for a request with an offset that talks about the offset or pagination offset_expired', () => {
    for (const message of ['offset: Your pagination token has expired.', 'Invalid Pagination token', 'OFFSET is invalid']) {
      const e = offsetRejection(errorBody(message));
      assert.equal(e.code, 'offset_expired', message);
      assert.equal(e.retryable, false);
      assert.ok(e.message.includes(`Asana said: "${message}"`), e.message);
    }
  });

  it('keeps other 400s as bad_request, and an offset complaint without an offset too', () => {
    assert.equal(http(400, errorBody('limit: Must be between 1 and 100'), { sentOffset: true }).code, 'bad_request');
    assert.equal(http(400, errorBody('offset: not allowed here'), { sentOffset: false }).code, 'bad_request');
    assert.equal(http(400, '<html>bad</html>', { sentOffset: true }).code, 'bad_request');
  });

  it('reads Retry-After on a 429 and stays retryable', () => {
    const e = http(429, errorBody('Too many requests'), { retryAfter: '30' });
    assert.equal(e.code, 'rate_limited');
    assert.equal(e.retryable, true);
    assert.equal(e.retryAfterSeconds, 30);
    assert.equal(http(429).retryAfterSeconds, undefined);
  });

  it('refuses redirects rather than following them with the token', () => {
    const e = http(302);
    assert.equal(e.code, 'invalid_response');
    assert.equal(e.retryable, false);
  });

  it('keeps the API message only when the body is Asana error JSON', () => {
    assert.equal(apiMessageOf('<html><body>Bad gateway</body></html>', NO_SECRET), undefined);
    assert.equal(apiMessageOf('{"errors":[{"help":"x"},{"message":"second"}]}', NO_SECRET), 'second');
    assert.equal(apiMessageOf('{"errors":[{"message":"a\\n  b"}]}', NO_SECRET), 'a b');
    assert.equal(apiMessageOf(JSON.stringify({ errors: [{ message: 'x'.repeat(5000) }] }), NO_SECRET)?.length, 500);
  });

  it('masks a secret in the API message before cutting it to length, so no piece of the secret is kept', () => {
    const token = '2/1204/5b7d9f1a3c:0123456789abcdef';
    // On the wire the token's punctuation is \u-escaped; parsing the JSON turns it back into the raw token.
    const wire = `{"errors":[{"message":"${'x'.repeat(480)} ${token.replace(/[/:]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}"}]}`;
    const mask = (t: string) => t.split(token).join('[redacted]');
    assert.equal(apiMessageOf(wire, mask), `${'x'.repeat(480)} [redacted]`);
    const e = classifyHttpFailure({ status: 400, bodyText: wire, redact: mask, sentOffset: false, nowMs: 0 });
    assert.equal(e.message.includes('5b7d9f'), false, e.message);
    assert.equal(e.message.includes('2/1204'), false, e.message);
  });
});

describe('parsing Retry-After', () => {
  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('120', NOW), 120);
    assert.equal(parseRetryAfter(' 0 ', NOW), 0);
    assert.equal(parseRetryAfter('1.5', NOW), 1.5);
  });

  it('reads an HTTP date as the seconds left until it', () => {
    assert.equal(parseRetryAfter('Sat, 01 Mar 2025 12:00:45 GMT', NOW), 45);
    assert.equal(parseRetryAfter('Sat, 01 Mar 2025 11:59:00 GMT', NOW), 0);
  });

  it('gives up on anything else so the policy default applies', () => {
    for (const v of [undefined, '', '-5', '1e3', 'soon', 'NaN']) assert.equal(parseRetryAfter(v, NOW), undefined, String(v));
  });
});

describe('classifying transport failures', () => {
  it('reports certificate failures as tls_error, not retried', () => {
    for (const code of CERTIFICATE_FAILURE_CODES) {
      const e = classifyTransportFailure({ code, deadlineExceeded: false });
      assert.equal(e.code, 'tls_error', code);
      assert.equal(e.retryable, false);
      assert.match(e.message, new RegExp(code));
    }
  });

  it("reports timeouts, ours or the socket's, as timeout", () => {
    assert.equal(classifyTransportFailure({ code: 'ERR_CANCELED', deadlineExceeded: true }).code, 'timeout');
    assert.equal(classifyTransportFailure({ code: 'ECONNABORTED', deadlineExceeded: false }).code, 'timeout');
    assert.equal(classifyTransportFailure({ code: 'ETIMEDOUT', deadlineExceeded: false }).retryable, true);
  });

  it('reports resets, refusals and unknown failures as retryable network_error', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EPIPE', undefined]) {
      const e = classifyTransportFailure({ code, deadlineExceeded: false });
      assert.equal(e.code, 'network_error', String(code));
      assert.equal(e.retryable, true);
    }
  });

  it('reports a body cut short as a retryable invalid_response', () => {
    const e = classifyTransportFailure({ code: 'ERR_BAD_RESPONSE', deadlineExceeded: false });
    assert.equal(e.code, 'invalid_response');
    assert.equal(e.retryable, true);
  });

  it('never copies a code that is not a plain identifier', () => {
    const e = classifyTransportFailure({ code: 'Bearer abc def', deadlineExceeded: false });
    assert.doesNotMatch(e.message, /Bearer/);
  });

  it('finds the code on the error or on its cause', () => {
    assert.equal(errorCodeOf(Object.assign(new Error('x'), { code: 'ECONNRESET' })), 'ECONNRESET');
    assert.equal(errorCodeOf(new Error('x', { cause: Object.assign(new Error('y'), { code: 'EPIPE' }) })), 'EPIPE');
    assert.equal(errorCodeOf('string'), undefined);
  });
});
