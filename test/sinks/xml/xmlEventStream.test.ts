import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { AuditLogEvent } from '../../../src/model/auditLog.js';
import { epochSeconds, eventToXml, XmlEventStream } from '../../../src/sinks/xml/xmlEventStream.js';
import { allXmlChars, nastyString } from '../../splunk/nastyStrings.js';
import { auditEvent } from '../../support/events.js';

const STANZA = 'asana_audit_log://acme';

const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (name) => name === 'event',
});

interface ParsedEvent {
  '@_stanza': string;
  time: string;
  sourcetype: string;
  data: string;
}

function parseEventXml(xml: string): ParsedEvent {
  assert.equal(XMLValidator.validate(xml), true, xml);
  assert.ok(allXmlChars(xml), 'only characters XML can carry');
  return (parser.parse(xml) as { event: ParsedEvent[] }).event[0]!;
}

function event(extra: Record<string, unknown> = {}, createdAt = '2024-10-18T04:42:40.072Z'): AuditLogEvent {
  return auditEvent({ gid: '1200000000000001', created_at: createdAt, event_type: 'user_login_succeeded', ...extra });
}

/** A Writable that keeps every chunk and completes each write only when the test says so. */
class HeldWritable extends Writable {
  readonly chunks: string[] = [];
  private readonly pending: Array<(err?: Error | null) => void> = [];
  constructor(private readonly failWith?: Error) {
    super({ highWaterMark: 1, decodeStrings: false });
  }
  override _write(chunk: unknown, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.failWith) {
      cb(this.failWith);
      return;
    }
    this.chunks.push(String(chunk));
    this.pending.push(cb);
  }
  get waiting(): number {
    return this.pending.length;
  }
  release(): void {
    const cb = this.pending.shift();
    assert.ok(cb, 'no write is waiting');
    cb();
  }
}

/** A Writable that completes every write at once, like a fast pipe. */
class MemoryWritable extends Writable {
  text = '';
  override _write(chunk: unknown, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.text += String(chunk);
    cb();
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));

function track(p: Promise<void>) {
  const state = { settled: false, error: undefined as unknown };
  p.then(
    () => (state.settled = true),
    (e: unknown) => {
      state.settled = true;
      state.error = e;
    },
  );
  return state;
}

describe('epochSeconds', () => {
  it('writes created_at as epoch seconds with exactly three decimals', () => {
    assert.equal(epochSeconds('2024-10-18T04:42:40.072Z'), '1729226560.072');
    assert.equal(epochSeconds('2024-10-18T04:42:40Z'), '1729226560.000');
    assert.equal(epochSeconds('2024-10-18T04:42:40.1Z'), '1729226560.100');
    assert.equal(epochSeconds('2024-10-18T06:42:40.072+02:00'), '1729226560.072');
    assert.equal(epochSeconds('1970-01-01T00:00:00.000Z'), '0.000');
  });

  it('drops digits beyond milliseconds instead of rounding into the next millisecond', () => {
    assert.equal(epochSeconds('2024-10-18T04:42:40.0729999Z'), '1729226560.072');
    assert.equal(epochSeconds('2024-10-18T04:42:59.9999Z'), '1729226579.999');
  });

  it('is exact for every millisecond, where float division would not be', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4102444800000 }), (ms) => {
        const text = epochSeconds(new Date(ms).toISOString());
        assert.match(text, /^\d+\.\d{3}$/);
        assert.equal(BigInt(text.replace('.', '')), BigInt(ms));
      }),
      { numRuns: 1000 },
    );
  });

  it('counts down correctly before 1970', () => {
    assert.equal(epochSeconds('1969-12-31T23:59:59.999Z'), '-1.999');
  });

  it('refuses a time it cannot read', () => {
    assert.throws(() => epochSeconds('yesterday'), RangeError);
  });
});

describe('eventToXml', () => {
  it('writes stanza, time, sourcetype and the event as one line of JSON in its key order', () => {
    const e = { created_at: '2024-10-18T04:42:40.072Z', gid: '42', zeta: 1, alpha: { nested: [true, null] }, unknown_field: 'kept' };
    const xml = eventToXml(auditEvent(e), STANZA, 'asana:audit');
    assert.ok(!xml.includes('\n'));
    const parsed = parseEventXml(xml);
    assert.equal(parsed['@_stanza'], STANZA);
    assert.equal(parsed.time, '1729226560.072');
    assert.equal(parsed.sourcetype, 'asana:audit');
    assert.equal(parsed.data, JSON.stringify(e));
    assert.deepEqual(Object.keys(JSON.parse(parsed.data) as object), ['created_at', 'gid', 'zeta', 'alpha', 'unknown_field']);
  });

  it('round-trips markup, CDATA ends, emoji, controls, U+FFFF and lone surrogates unchanged', () => {
    const nasty = [
      '<b>&amp;</b>',
      ']]>',
      '</data></event></stream>',
      '😀 é ß',
      '\u0000\u0001\u001f\r\n\t',
      '\uFFFF\uFFFE',
      '\uD800 lone high',
      'lone low \uDFFF',
      '\u2028\u0085',
    ];
    const e = event({ details: { nasty, [nasty.join('')]: 'key too' } });
    const parsed = parseEventXml(eventToXml(e, 'asana_audit_log://a "quoted" <b> & \'c\'', 'asana:audit'));
    assert.deepEqual(JSON.parse(parsed.data), JSON.parse(e.json));
    assert.equal(parsed['@_stanza'], 'asana_audit_log://a "quoted" <b> & \'c\'');
  });

  it('round-trips any string in any field through a real XML parser and JSON.parse', () => {
    fc.assert(
      fc.property(nastyString, fc.dictionary(nastyString, nastyString, { maxKeys: 4 }), (text, extra) => {
        const e = event({ ...extra, text });
        const parsed = parseEventXml(eventToXml(e, STANZA, 'asana:audit'));
        assert.equal(JSON.stringify(JSON.parse(parsed.data)), e.json);
      }),
      { numRuns: 500 },
    );
  });
});

describe('XmlEventStream', () => {
  it('writes nothing until the first events, then one <stream> around all of them', async () => {
    const out = new MemoryWritable();
    const sink = new XmlEventStream(out, { stanza: STANZA });
    await sink.write([]);
    assert.equal(out.text, '');
    await sink.write([event({ n: 1 }), event({ n: 2 })]);
    await sink.write([event({ n: 3 })]);
    await sink.close();
    assert.equal(out.text.match(/<stream>/g)?.length, 1);
    assert.ok(out.text.endsWith('</stream>\n'));
    assert.equal(XMLValidator.validate(out.text), true);
    const events = (parser.parse(out.text) as { stream: { event: ParsedEvent[] } }).stream.event;
    assert.deepEqual(
      events.map((e) => (JSON.parse(e.data) as { n: number }).n),
      [1, 2, 3],
    );
    assert.ok(events.every((e) => e.sourcetype === 'asana:audit' && e['@_stanza'] === STANZA));
  });

  it('writes nothing at all when closed without events, and close is idempotent', async () => {
    const out = new MemoryWritable();
    const sink = new XmlEventStream(out, { stanza: STANZA, sourcetype: 'custom:st' });
    await sink.close();
    await sink.close();
    assert.equal(out.text, '');
    await assert.rejects(sink.write([event()]), /write after close/);
  });

  it('uses the sourcetype it is given', async () => {
    const out = new MemoryWritable();
    const sink = new XmlEventStream(out, { stanza: STANZA, sourcetype: 'custom:st' });
    await sink.write([event()]);
    assert.match(out.text, /<sourcetype>custom:st<\/sourcetype>/);
  });

  it('does not resolve before the chunk is flushed and the stream has drained', async () => {
    const out = new HeldWritable();
    const order: string[] = [];
    out.on('drain', () => order.push('drain'));
    const sink = new XmlEventStream(out, { stanza: STANZA });
    const p = sink.write([event()]);
    p.then(
      () => order.push('resolved'),
      () => order.push('rejected'),
    );
    // Someone else's bytes queued behind ours: our chunk can be flushed while the stream is
    // still over its high-water mark, so 'drain' comes later than our write callback.
    out.write('<!-- other writer -->');
    await tick();
    assert.deepEqual(order, [], 'nothing flushed yet');
    out.release(); // our chunk reaches the "OS"
    await tick();
    assert.deepEqual(order, [], 'flushed, but the stream has not drained');
    assert.equal(out.waiting, 1);
    out.release(); // the other writer's chunk: now the stream drains
    await p;
    assert.deepEqual(order, ['drain', 'resolved']);
    assert.match(out.chunks[0]!, /^<stream>\n<event /);
  });

  it('rejects when the output fails (EPIPE), and keeps rejecting, without crashing the process', async () => {
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    const out = new HeldWritable(epipe);
    const sink = new XmlEventStream(out, { stanza: STANZA });
    await assert.rejects(sink.write([event()]), (e: unknown) => (e as { code?: string }).code === 'EPIPE');
    await assert.rejects(sink.write([event()]), (e: unknown) => (e as { code?: string }).code === 'EPIPE');
    await assert.rejects(sink.close(), (e: unknown) => (e as { code?: string }).code === 'EPIPE');
  });

  it('rejects a write to an output that was destroyed while it waited', async () => {
    const out = new HeldWritable();
    const sink = new XmlEventStream(out, { stanza: STANZA });
    const state = track(sink.write([event()]));
    await tick();
    assert.equal(state.settled, false);
    out.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await tick();
    await tick();
    assert.equal(state.settled, true);
    assert.equal((state.error as { code?: string } | undefined)?.code, 'EPIPE');
  });
});
