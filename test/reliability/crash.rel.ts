import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AuditLogClient } from '../../src/asana/auditLogClient.js';
import { decodeCheckpointFile } from '../../src/collector/checkpoint.js';
import { collect } from '../../src/collector/collector.js';
import { CheckpointCorruptError, CheckpointStore } from '../../src/collector/checkpointStore.js';
import { silentLogger } from '../../src/logging/logger.js';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { MemorySink } from '../support/memorySinks.js';
import { completeEvents, inputXml, runLauncher, tempDir } from '../support/splunkdHarness.js';
import { recordFigure, scaled, seededRandom } from './figures.js';

const TOKEN = 'reliability-token-8c2e41';
const PAGE = 100;

function gidsOf(events: { data: { gid: string } }[]): string[] {
  return events.map((e) => e.data.gid);
}

describe('crash consistency (real child processes)', function () {
  this.timeout(30 * 60_000);
  let mock: MockAsana;
  afterEach(async () => mock?.close());

  it('survives SIGKILL at random moments while draining 20,000 events: nothing lost, at most one page repeated per kill', async () => {
    const kills = scaled(50);
    const random = seededRandom(Number(process.env.RELIABILITY_SEED ?? 20261126));
    mock = await startMockAsana({ initialEvents: 20_000, latencyMs: 20, tokens: { valid: [TOKEN] }, seed: 3 });
    const dir = tempDir('rel-kill-');
    const xml = inputXml({
      checkpointDir: dir,
      name: 'acme',
      // 600 a minute (a page every 100 ms) keeps the backlog from running out before the last kill.
      params: {
        workspace_gid: mock.workspaceGid,
        token: TOKEN,
        api_base_url: mock.url,
        max_requests_per_minute: '600',
        page_size: String(PAGE),
        backfill_concurrency: '1',
      },
    });
    const seen = new Set<string>();
    let duplicates = 0;
    let worstPerKill = 0;
    let killed = 0;
    for (let i = 0; i < kills; i++) {
      const run = await runLauncher([], xml, {
        onSpawn: (child) => setTimeout(() => child.kill('SIGKILL'), 150 + Math.floor(random() * 600)),
      });
      if (run.signal === 'SIGKILL') killed++;
      let dupThisRun = 0;
      for (const gid of gidsOf(completeEvents(run.stdout))) {
        if (seen.has(gid)) dupThisRun++;
        seen.add(gid);
      }
      duplicates += dupThisRun;
      worstPerKill = Math.max(worstPerKill, dupThisRun);
      assert.ok(dupThisRun <= PAGE, `kill ${i}: ${dupThisRun} events repeated, more than one page`);
    }
    const last = await runLauncher([], xml);
    assert.equal(last.code, 0, last.stderr);
    for (const gid of gidsOf(completeEvents(last.stdout))) {
      if (seen.has(gid)) duplicates++;
      seen.add(gid);
    }
    const expected = mock.events().map((e) => (e as { gid: string }).gid);
    const lost = expected.filter((g) => !seen.has(g)).length;
    assert.equal(lost, 0, 'every event reached stdout in some run');
    assert.equal(seen.size, expected.length);
    assert.ok(killed >= Math.floor(kills * 0.8), `most runs were killed mid-drain (${killed}/${kills})`);
    recordFigure({
      area: 'crash',
      what: 'SIGKILL at random moments, 20,000-event backlog, 20 ms latency',
      tried: killed,
      lost,
      duplicates,
      note: `worst kill repeated ${worstPerKill} events (limit: one page = ${PAGE}); mean ${(duplicates / Math.max(1, killed)).toFixed(1)} per kill`,
    });
  });

  it('never moves the checkpoint past events whose write failed when the reader closes the pipe (EPIPE)', async () => {
    const closes = scaled(10);
    const random = seededRandom(77);
    mock = await startMockAsana({ initialEvents: 5_000, latencyMs: 5, tokens: { valid: [TOKEN] }, seed: 4 });
    const dir = tempDir('rel-epipe-');
    const xml = inputXml({
      checkpointDir: dir,
      name: 'acme',
      params: {
        workspace_gid: mock.workspaceGid,
        token: TOKEN,
        api_base_url: mock.url,
        max_requests_per_minute: '1500',
        log_level: 'DEBUG',
        backfill_concurrency: '1',
      },
    });
    const read = new Set<string>();
    let duplicates = 0;
    const readOnce = (gids: string[]) => {
      for (const g of gids) {
        if (read.has(g)) duplicates++;
        read.add(g);
      }
    };
    let inPipeAtClose = 0;
    let failedRuns = 0;
    let emittedBefore = 0;
    for (let i = 0; i < closes; i++) {
      const limit = 20_000 + Math.floor(random() * 200_000);
      let got = '';
      const run = await runLauncher([], xml, {
        onStdout: (chunk, child) => {
          if (got.length >= limit) return;
          got += chunk;
          if (got.length >= limit) child.stdout?.destroy();
        },
      });
      const readNow = gidsOf(completeEvents(got.slice(0, limit)));
      readOnce(readNow);
      if (run.code !== 0) {
        failedRuns++;
        assert.match(run.stderr, /^ERROR input=acme .*(EPIPE|output closed|stopped reading)/m);
      }
      // Flushed pages are the ones the DEBUG log reports; the checkpoint must count exactly those.
      const flushed = [...run.stderr.matchAll(/page done events=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
      const store = new CheckpointStore({ file: path.join(dir, 'acme.checkpoint'), logger: silentLogger });
      const cp = store.load();
      assert.equal((cp?.eventsEmitted ?? 0) - emittedBefore, flushed, 'the checkpoint counts only pages whose write completed');
      emittedBefore = cp?.eventsEmitted ?? 0;
      // What the kernel accepted into the pipe but the reader never read before closing it.
      inPipeAtClose += Math.max(0, flushed - readNow.length);
    }
    const last = await runLauncher([], xml);
    assert.equal(last.code, 0, last.stderr);
    readOnce(gidsOf(completeEvents(last.stdout)));
    const lostBeyondPipe = mock.events().filter((e) => !read.has((e as { gid: string }).gid)).length;
    assert.ok(failedRuns > 0, 'the reader closed the pipe while events were still being written');
    assert.ok(lostBeyondPipe <= inPipeAtClose, `events missing (${lostBeyondPipe}) are only those the pipe had accepted (${inPipeAtClose})`);
    recordFigure({
      area: 'crash',
      what: 'reader closes the pipe early (EPIPE)',
      tried: failedRuns,
      lost: lostBeyondPipe,
      duplicates,
      note: `the checkpoint never passed a failed write; the ${lostBeyondPipe} events the reader never saw had been accepted by the kernel's pipe buffer (at most ${inPipeAtClose} across the closes) before the reader closed it: written, as far as any writer can tell`,
    });
  });

  it('resumes from the last complete generation whatever length the checkpoint file is cut to', async () => {
    mock = await startMockAsana({ initialEvents: 1_000, tokens: { valid: [TOKEN] }, seed: 5 });
    const dir = tempDir('rel-cut-');
    const file = path.join(dir, 'acme.checkpoint');
    const opts = { workspaceGid: mock.workspaceGid, filters: {}, pageSize: 100 };
    const client = new AuditLogClient({ baseUrl: mock.url, token: TOKEN, maxRequestsPerMinute: 100_000 });
    try {
      // A run stopped after three pages leaves two generations one page apart.
      const store = new CheckpointStore({ file, logger: silentLogger });
      let pages = 0;
      await collect(
        { source: client, sink: new MemorySink(), checkpoints: store, logger: silentLogger },
        { ...opts, onProgress: (p) => (pages = p.pages), shouldStop: () => pages >= 3 },
      );
      const text = fs.readFileSync(file, 'utf8');
      const gens = decodeCheckpointFile(text).generations;
      assert.deepEqual(
        gens.map((g) => g.eventsEmitted),
        [200, 300],
      );
      const all = mock.events().map((e) => (e as { gid: string }).gid);
      const firstLineEnd = text.indexOf('\n') + 1;
      let resumed = 0;
      let refused = 0;
      for (let len = 0; len <= text.length; len++) {
        fs.writeFileSync(file, text.slice(0, len));
        const sink = new MemorySink();
        try {
          await collect({ source: client, sink, checkpoints: new CheckpointStore({ file, logger: silentLogger }), logger: silentLogger }, opts);
        } catch (e) {
          assert.ok(e instanceof CheckpointCorruptError, `cut at ${len}: ${(e as Error).message}`);
          assert.ok(len < firstLineEnd, 'refusal only when no generation is complete');
          refused++;
          continue;
        }
        resumed++;
        // The complete file resumes after page 3; any cut of the newest line resumes after page 2,
        // repeating exactly page 3.
        const expectedFrom = len === text.length ? 300 : 200;
        assert.deepEqual(
          sink.written.map((e) => e.gid),
          all.slice(expectedFrom),
          `cut at ${len}`,
        );
      }
      fs.writeFileSync(file, text);
      assert.equal(resumed + refused, text.length + 1);
      recordFigure({
        area: 'crash',
        what: 'checkpoint file cut to every length',
        tried: text.length + 1,
        lost: 0,
        duplicates: 100,
        note: `${resumed - 1} cuts of the newest generation resumed from the previous one (repeating its one page of 100 events); ${refused} cuts inside the oldest generation stopped with an ERROR naming the reset command instead of re-ingesting from the start`,
      });
    } finally {
      await client.close();
    }
  });
});
