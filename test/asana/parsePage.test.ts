import assert from 'node:assert/strict';
import fc from 'fast-check';
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
    assert.deepEqual(page.events, [
      {
        gid: '1',
        created_at: '2024-10-18T04:42:40.072Z',
        json: '{"actor":{"actor_type":"user","gid":"9"},"gid":"1","future_field":[1,{"z":2,"a":1}],"created_at":"2024-10-18T04:42:40.072Z","details":{}}',
      },
    ]);
  });

  it("keeps each event's text byte for byte: big integers, trailing zeros, duplicate keys, escapes and spacing", () => {
    const texts = [
      '{"gid":"1","created_at":"2024-10-18T04:42:40.072Z","n":12345678901234567890,"f":1.10,"e":1E+2}',
      '{ "gid" : "2", "dup": 1, "dup": 2, "created_at":"2024-10-18T04:42:40.072Z", "s": "a\\"]}\\\\", "u":"\\u00e9" }',
      '{"gid":"3","created_at":"2024-10-18T04:42:40.072Z","emoji":"😀","empty":{},"list":[[],[{}],"]"]}',
    ];
    const raw = `{ "next_page" : {"offset":"o","data":[9]}, "data" :\n[ ${texts.join(' ,\n ')} ] }`;
    assert.deepEqual(
      parsePage(raw).events.map((e) => e.json),
      texts,
    );
    assert.equal(parsePage(raw).nextOffset, 'o');
  });

  it('takes the last data key, as JSON.parse does, however it is spelled', () => {
    const raw = '{"data":[{"gid":"1","created_at":"2024-10-18T04:42:40.072Z"}],"d\\u0061ta":[{"gid":"2","created_at":"2024-10-18T04:42:40.072Z"}]}';
    assert.deepEqual(
      parsePage(raw).events.map((e) => e.gid),
      ['2'],
    );
  });

  it("finds every event's text in any valid page, whatever it holds", () => {
    const item = fc.record({ gid: fc.stringMatching(/^\d{1,19}$/), created_at: fc.constant('2024-10-18T04:42:40.072Z'), extra: fc.jsonValue() });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), fc.constantFrom('', ' ', '\n  ', '\t'), (items, ws) => {
        const texts = items.map((i) => JSON.stringify(i, null, ws === '' ? undefined : ws));
        const raw = `{${ws}"data"${ws}:${ws}[${ws}${texts.join(`${ws},${ws}`)}${ws}]${ws},"next_page":null}`;
        assert.deepEqual(
          parsePage(raw).events.map((e) => e.json),
          texts,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('delivers an event nested 100,000 levels deep as its text, with the event beside it', () => {
    const deep = `{"gid":"1","created_at":"2024-10-18T04:42:40.072Z","details":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const plain = '{"gid":"2","created_at":"2024-10-18T04:42:40.073Z"}';
    const events = parsePage(`{"data":[${deep},${plain}],"next_page":null}`).events;
    assert.deepEqual(
      events.map((e) => e.json),
      [deep, plain],
    );
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
