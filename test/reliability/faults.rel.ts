import assert from 'node:assert/strict';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { AuditLogClient } from '../../src/asana/auditLogClient.js';
import type { AsanaApiError } from '../../src/asana/asanaApiError.js';
import { collect } from '../../src/collector/collector.js';
import { CheckpointStore } from '../../src/collector/checkpointStore.js';
import { silentLogger } from '../../src/logging/logger.js';
import { startMockAsana, type MockAsana, type MockFault } from '../../src/mock/server.js';
import { XmlEventStream } from '../../src/sinks/xml/xmlEventStream.js';
import { parseEventStream, tempDir } from '../support/splunkdHarness.js';
import { recordFigure, scaled, seededRandom } from './figures.js';

const TOKEN = 'fault-token-3b9d0e77';
/** Every wait (backoff, Retry-After, limiter spacing) at a hundredth of real time. */
const TIME_SCALE = 0.01;

/**
 * The modular input's composition (real client over HTTP, real XML stream, real checkpoint
 * file) run in-process so waits can use a small time base. Runs until caught up, as splunkd
 * would re-run it every interval; a run that fails is simply followed by the next one.
 */
async function drainWithRestarts(mock: MockAsana, opts: { maxRuns?: number; timeoutMs?: number; onPage?: () => void } = {}) {
  const dir = tempDir('rel-fault-');
  const file = path.join(dir, 'acme.checkpoint');
  const delivered: Array<Record<string, unknown> & { gid: string }> = [];
  const failures: string[] = [];
  for (let run = 0; run < (opts.maxRuns ?? 20); run++) {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const sink = new XmlEventStream(out, { stanza: 'asana_audit_log://acme' });
    const client = new AuditLogClient({
      baseUrl: mock.url,
      token: TOKEN,
      maxRequestsPerMinute: 60_000,
      timeScale: TIME_SCALE,
      timeoutMs: opts.timeoutMs ?? 2_000,
    });
    let caughtUp = false;
    try {
      const summary = await collect(
        { source: client, sink, checkpoints: new CheckpointStore({ file, logger: silentLogger }), logger: silentLogger },
        { workspaceGid: mock.workspaceGid, filters: {}, pageSize: 100, onProgress: () => opts.onPage?.() },
      );
      caughtUp = summary.caughtUp;
    } catch (e) {
      failures.push((e as AsanaApiError).code ?? (e as Error).message);
    } finally {
      await sink.close();
      await client.close();
    }
    delivered.push(...parseEventStream(text).map((e) => e.data));
    if (caughtUp) return { delivered, failures, runs: run + 1, file };
  }
  throw new Error(`not caught up after ${opts.maxRuns ?? 20} runs: ${failures.join(', ')}`);
}

function assertExactlyOnce(mock: MockAsana, delivered: Array<{ gid: string }>): void {
  const gids = delivered.map((e) => e.gid);
  assert.equal(new Set(gids).size, gids.length, 'no event twice');
  const expected = mock.events().map((e) => (e as { gid: string }).gid);
  assert.deepEqual([...gids].sort(), [...expected].sort(), 'every event once');
}

describe('the network and the API misbehaving (every scenario ends exactly once)', function () {
  this.timeout(10 * 60_000);
  let mock: MockAsana;
  afterEach(async () => mock?.close());

  const httpDate = () => new Date(Date.now() + 2_000).toUTCString();
  const scenarios: Array<{ what: string; faults: () => MockFault[] }> = [
    {
      what: '429 storm, Retry-After in seconds',
      faults: () => Array.from({ length: 8 }, () => ({ kind: 'status', status: 429, retryAfter: '2' }) as MockFault),
    },
    {
      what: '429 storm, Retry-After as an HTTP date',
      faults: () => Array.from({ length: 5 }, () => ({ kind: 'status', status: 429, retryAfter: httpDate() }) as MockFault),
    },
    { what: '429 storm, no Retry-After', faults: () => Array.from({ length: 4 }, () => ({ kind: 'status', status: 429 }) as MockFault) },
    { what: 'bursts of 500, 502, 503 and 504', faults: () => [500, 502, 503, 504, 503, 500].map((status) => ({ kind: 'status', status }) as MockFault) },
    { what: 'connection resets', faults: () => [{ kind: 'reset' }, { kind: 'reset' }, { kind: 'reset' }] },
    { what: 'hung responses (request timeout)', faults: () => [{ kind: 'hang' }, { kind: 'hang' }] },
    { what: 'truncated bodies', faults: () => [{ kind: 'truncated' }, { kind: 'truncated' }] },
    { what: 'non-JSON bodies', faults: () => [{ kind: 'non_json' }, { kind: 'non_json' }] },
    {
      what: 'an HTML error page from a proxy',
      faults: () => [
        { kind: 'status', status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1>proxy</body></html>' },
        { kind: 'status', status: 200, contentType: 'text/html', body: '<html><body>Access denied by policy</body></html>' },
      ],
    },
  ];

  for (const scenario of scenarios) {
    it(`delivers every event once through ${scenario.what}`, async () => {
      mock = await startMockAsana({ initialEvents: 1_500, tokens: { valid: [TOKEN] }, seed: 11 });
      const random = seededRandom(scenario.what.length);
      let pages = 0;
      let injected = 0;
      const at = new Set([1 + Math.floor(random() * 5), 8 + Math.floor(random() * 5)]);
      const { delivered, failures } = await drainWithRestarts(mock, {
        onPage: () => {
          pages++;
          if (at.has(pages)) {
            const f = scenario.faults();
            injected += f.length;
            mock.scriptFaults(f);
          }
        },
      });
      assertExactlyOnce(mock, delivered);
      recordFigure({
        area: 'faults',
        what: scenario.what,
        tried: injected,
        lost: 0,
        duplicates: 0,
        note: failures.length
          ? `${failures.length} runs ended early (${[...new Set(failures)].join(', ')}) and the next resumed`
          : 'absorbed by retries within the run',
      });
    });
  }

  it('passes schema drift through unchanged: unknown fields, missing optional fields, new event types', async () => {
    mock = await startMockAsana({ initialEvents: 200, tokens: { valid: [TOKEN] }, seed: 12 });
    const now = Date.now();
    const drift = [
      {
        gid: '1290000000000001',
        created_at: new Date(now - 3000).toISOString(),
        event_type: 'quantum_entanglement_enabled',
        event_category: 'brand_new_category',
        future_field: { nested: [1, null, true], 'x-y': '💥' },
      },
      { gid: '1290000000000002', created_at: new Date(now - 2000).toISOString() },
      {
        gid: '1290000000000003',
        created_at: new Date(now - 1000).toISOString(),
        actor: { actor_type: 'robot' },
        context: null,
        details: 'a string where an object was',
      },
    ];
    mock.addEvents(drift);
    const { delivered } = await drainWithRestarts(mock);
    assertExactlyOnce(mock, delivered);
    for (const d of drift)
      assert.deepEqual(
        delivered.find((e) => e.gid === d.gid),
        d,
      );
    recordFigure({
      area: 'faults',
      what: 'schema drift (unknown fields, missing optional fields, new types)',
      tried: drift.length,
      lost: 0,
      duplicates: 0,
      note: 'events reached stdout byte-for-byte as sent',
    });
  });

  it('resumes without loss or repeats when offsets expire at random points', async () => {
    mock = await startMockAsana({ initialEvents: 3_000, tokens: { valid: [TOKEN] }, seed: 13 });
    const random = seededRandom(99);
    let expiries = 0;
    const { delivered } = await drainWithRestarts(mock, {
      onPage: () => {
        if (random() < 0.3) {
          expiries++;
          mock.scriptFaults([{ kind: 'expire_offset' }]);
        }
      },
    });
    assertExactlyOnce(mock, delivered);
    assert.ok(expiries >= 3);
    recordFigure({
      area: 'faults',
      what: 'offsets expiring at random points',
      tried: expiries,
      lost: 0,
      duplicates: 0,
      note: 'each resumed from the last emitted instant',
    });
  });

  it('stops with unauthorized and leaves the checkpoint intact when the token is revoked mid-run', async () => {
    mock = await startMockAsana({ initialEvents: 2_000, tokens: { valid: [TOKEN] }, seed: 14 });
    let pages = 0;
    const dir = tempDir('rel-revoke-');
    const file = path.join(dir, 'acme.checkpoint');
    const client = new AuditLogClient({ baseUrl: mock.url, token: TOKEN, maxRequestsPerMinute: 60_000, timeScale: TIME_SCALE });
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const store = new CheckpointStore({ file, logger: silentLogger });
    await assert.rejects(
      collect(
        { source: client, sink: new XmlEventStream(out, { stanza: 'asana_audit_log://acme' }), checkpoints: store, logger: silentLogger },
        { workspaceGid: mock.workspaceGid, filters: {}, pageSize: 100, onProgress: () => ++pages === 5 && mock.revokeToken(TOKEN) },
      ),
      { code: 'unauthorized' },
    );
    await client.close();
    const cp = new CheckpointStore({ file, logger: silentLogger }).load();
    assert.equal(cp?.eventsEmitted, 500, 'the checkpoint holds exactly the five pages written');
    assert.equal(parseEventStream(`${text}</stream>`).length, 500);
    recordFigure({
      area: 'faults',
      what: 'token revoked mid-run',
      tried: 1,
      lost: 0,
      duplicates: 0,
      note: 'ERROR unauthorized; checkpoint at the last written page',
    });
  });

  it('keeps the request rate at or under max_requests_per_minute over a long run', async function () {
    const seconds = scaled(65);
    const cap = 300;
    mock = await startMockAsana({ initialEvents: 0, eventsPerSecond: 40, tokens: { valid: [TOKEN] } });
    const client = new AuditLogClient({ baseUrl: mock.url, token: TOKEN, maxRequestsPerMinute: cap });
    const until = Date.now() + seconds * 1000;
    try {
      // One page of one event at a time keeps the client asking as fast as the cap lets it.
      let offset: string | undefined;
      while (Date.now() < until) {
        const page = await client.fetchPage({ workspaceGid: mock.workspaceGid, filters: {}, limit: 1, ...(offset ? { offset } : {}) });
        offset = page.nextOffset ?? undefined;
      }
    } finally {
      await client.close();
    }
    const times = mock.requestLog().map((r) => r.at);
    let worst = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while ((times[i] ?? 0) - (times[j] ?? 0) >= 60_000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    assert.ok(worst <= cap, `busiest 60 s window held ${worst} requests, over the cap of ${cap}`);
    assert.ok(times.length >= Math.min(cap, (seconds * cap) / 60) * 0.8, `the limiter did not starve the run (${times.length} requests)`);
    recordFigure({
      area: 'limits',
      what: `request rate over ${seconds} s at max_requests_per_minute=${cap}`,
      tried: times.length,
      lost: 0,
      duplicates: 0,
      note: `busiest 60 s window: ${worst} requests (cap ${cap})`,
    });
  });
});
