import assert from 'node:assert/strict';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { apiGet } from './helpers.js';

const T0 = Date.parse('2025-03-10T12:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

describe('mock Asana: late events', () => {
  let mock: MockAsana | undefined;
  let now = T0;
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });

  it('hides a late event until its delay has passed, then shows it in its created_at place', async () => {
    now = T0;
    mock = await startMockAsana({ clock: () => now });
    mock.addEvents([
      { gid: '1', created_at: at(T0 - 30_000) },
      { gid: '3', created_at: at(T0 - 5_000) },
    ]);
    assert.equal(mock.addLateEvents([{ gid: '2', created_at: at(T0 - 20_000) }], 40_000), 1);
    const before = await apiGet(mock, { start_at: at(T0 - 60_000) });
    assert.deepEqual(
      before.json.data.map((e: { gid: string }) => e.gid),
      ['1', '3'],
    );
    now = T0 + 19_999;
    assert.equal(mock.lateEventsPending(), 1, 'not visible one millisecond before created_at + delay');
    now = T0 + 20_000;
    const after = await apiGet(mock, { start_at: at(T0 - 60_000) });
    assert.deepEqual(
      after.json.data.map((e: { gid: string }) => e.gid),
      ['1', '2', '3'],
    );
    assert.equal(mock.lateEventsPending(), 0);
  });

  it('keeps a late event behind a handed-out offset invisible to the stream that holds it (keyset offsets)', async () => {
    now = T0;
    mock = await startMockAsana({ clock: () => now });
    mock.addEvents([
      { gid: '1', created_at: at(T0 - 30_000) },
      { gid: '3', created_at: at(T0 - 5_000) },
    ]);
    mock.addLateEvents([{ gid: '2', created_at: at(T0 - 20_000) }], 40_000);
    const first = await apiGet(mock, { start_at: at(T0 - 60_000), limit: '100' });
    assert.deepEqual(
      first.json.data.map((e: { gid: string }) => e.gid),
      ['1', '3'],
    );
    now = T0 + 40_000;
    mock.addEvents([{ gid: '4', created_at: at(T0 + 30_000) }]);
    const next = await apiGet(mock, '', { path: first.json.next_page.path });
    assert.deepEqual(
      next.json.data.map((e: { gid: string }) => e.gid),
      ['4'],
      'the stream continues after event 3: the late event 2 is behind it',
    );
    const reread = await apiGet(mock, { start_at: at(T0 - 60_000), end_at: at(T0) });
    assert.deepEqual(
      reread.json.data.map((e: { gid: string }) => e.gid),
      ['1', '2', '3'],
      'a new request over the stretch finds it',
    );
  });

  it('makes a seeded share of generated events late by the given delay', async () => {
    now = T0;
    mock = await startMockAsana({ clock: () => now, seed: 5, lateEvents: { share: 0.25, delayMs: 60_000 } });
    mock.generateEvents(400, { at: new Date(T0), spreadMs: 10_000 });
    const waiting = mock.lateEventsPending();
    assert.ok(waiting > 60 && waiting < 140, `about a quarter late, got ${waiting}`);
    assert.equal(mock.events().length, 400 - waiting);
    now = T0 + 60_000;
    assert.equal(mock.lateEventsPending(), 0);
    assert.equal(mock.events().length, 400);
  });
});
