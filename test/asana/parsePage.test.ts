import assert from 'node:assert/strict';
import { AsanaApiError } from '../../src/asana/asanaApiError.js';
import { parsePage } from '../../src/asana/parsePage.js';
import { event, pageBody } from './helpers.js';

function failure(fn: () => unknown): AsanaApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AsanaApiError, String(e));
    return e;
  }
  assert.fail('expected parsePage to throw');
}

describe('parsing a page body', () => {
  it('returns the events exactly as sent, unknown fields and key order kept', () => {
    const raw =
      '{"data":[{"actor":{"actor_type":"user","gid":"9"},"gid":"1","future_field":[1,{"z":2,"a":1}],' +
      '"created_at":"2024-10-18T04:42:40.072Z","details":{}}],"next_page":{"offset":"abc","path":"/p","uri":"u"}}';
    const page = parsePage(raw);
    assert.equal(page.nextOffset, 'abc');
    assert.equal(JSON.stringify(page.events), JSON.stringify(JSON.parse(raw).data));
    assert.deepEqual(Object.keys(page.events[0]!), ['actor', 'gid', 'future_field', 'created_at', 'details']);
  });

  it('gives a null next offset when next_page is null or absent', () => {
    assert.equal(parsePage(pageBody([], null)).nextOffset, null);
    assert.equal(parsePage('{"data":[]}').nextOffset, null);
  });

  it('calls a body that is not JSON a retryable invalid_response, saying what it was', () => {
    const e = failure(() => parsePage('<html>proxy login</html>', 'text/html; charset=utf-8'));
    assert.equal(e.code, 'invalid_response');
    assert.equal(e.retryable, true);
    assert.match(e.message, /not JSON \(24 characters, text\/html; charset=utf-8\)/);
    assert.equal(failure(() => parsePage('{"data":[{"gid":"1"')).retryable, true);
  });

  it('calls JSON that is not a page a retryable invalid_response', () => {
    for (const body of ['[]', '{"data":{}}', '{"items":[]}', '{"data":[],"next_page":{"offset":""}}']) {
      const e = failure(() => parsePage(body));
      assert.equal(e.code, 'invalid_response', body);
      assert.equal(e.retryable, true, body);
    }
  });

  it('stops at an event without gid or created_at, naming it, and does not retry', () => {
    const noCreatedAt = failure(() => parsePage(pageBody([event('1'), { gid: '42' }, event('3')], 'o')));
    assert.equal(noCreatedAt.code, 'invalid_response');
    assert.equal(noCreatedAt.retryable, false);
    assert.match(noCreatedAt.message, /event 2 of 3 on the page \(gid 42\)/);
    assert.match(noCreatedAt.message, /created_at/);
    assert.match(noCreatedAt.message, /run stops before this event/);

    const noGid = failure(() => parsePage(pageBody([{ created_at: '2024-10-18T04:42:40.072Z' }], 'o')));
    assert.equal(noGid.retryable, false);
    assert.match(noGid.message, /event 1 of 1 on the page \(no gid\)/);

    const badDate = failure(() => parsePage(pageBody([event('7', 'yesterday')], 'o')));
    assert.equal(badDate.retryable, false);
    assert.match(badDate.message, /gid 7/);
  });
});
