import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { runLauncher, tempDir } from '../support/splunkdHarness.js';
import { recordFigure, scaled } from './figures.js';

const TOKEN = 'soak-token-0f3e5d21';

function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

describe('soak: poll --follow against a mock that keeps producing events', function () {
  const seconds = scaled(60);
  this.timeout((seconds + 120) * 1000);
  let mock: MockAsana;
  after(async () => mock?.close());

  it(`delivers every event once over ${seconds} s at 50 events a second, with flat memory`, async () => {
    mock = await startMockAsana({ initialEvents: 2_000, eventsPerSecond: 50, latencyMs: 10, tokens: { valid: [TOKEN] }, seed: 31 });
    const dir = tempDir('soak-');
    const checkpoint = path.join(dir, 'soak.checkpoint');
    const env = { ...process.env, ASANA_TOKEN: TOKEN };
    const args = ['poll', '--workspace', mock.workspaceGid, '--base-url', mock.url, '--checkpoint', checkpoint, '--max-requests-per-minute', '1500'];
    const samples: Array<[number, number]> = [];
    let started = 0;
    const follow = await runLauncher([...args, '--follow', '--interval', '1'], '', {
      env,
      onSpawn: (child) => {
        started = Date.now();
        const timer = setInterval(() => {
          const mb = child.pid ? rssMb(child.pid) : undefined;
          if (mb !== undefined) samples.push([(Date.now() - started) / 60_000, mb]);
        }, 1000);
        setTimeout(() => {
          clearInterval(timer);
          child.kill('SIGTERM');
        }, seconds * 1000);
      },
    });
    assert.equal(follow.code, 0, follow.stderr.slice(-2000));
    const runs = follow.stderr.split('\n').filter((l) => l.includes('action=events_ingested')).length;
    // What arrived after the last poll is picked up by one more run.
    const final = await runLauncher(args, '', { env });
    assert.equal(final.code, 0, final.stderr);
    const lines = (follow.stdout + final.stdout).split('\n').filter(Boolean);
    const gids = lines.map((l) => (JSON.parse(l) as { gid: string }).gid);
    const produced = mock.events().map((e) => (e as { gid: string }).gid);
    const delivered = new Set(gids);
    const lost = produced.filter((g) => !delivered.has(g)).length;
    const duplicates = gids.length - delivered.size;
    // The generator may add events after the final run read its last page; those are not lost.
    const lastRead = Date.parse((JSON.parse(lines.at(-1) ?? '{}') as { created_at?: string }).created_at ?? '0');
    const lostBeforeEnd = mock
      .events()
      .filter((e) => !delivered.has((e as { gid: string }).gid) && Date.parse((e as { created_at: string }).created_at) <= lastRead).length;
    assert.equal(lostBeforeEnd, 0, 'no event up to the last one read is missing');
    assert.equal(duplicates, 0);
    const warm = samples.filter(([t]) => t >= 10 / 60);
    const mbPerMinute = slope(warm);
    const third = Math.max(1, Math.floor(warm.length / 3));
    const avg = (xs: Array<[number, number]>) => xs.reduce((s, [, y]) => s + y, 0) / xs.length;
    const growth = avg(warm.slice(-third)) - avg(warm.slice(0, third));
    const peak = Math.max(...samples.map(([, y]) => y));
    assert.ok(growth < 25, `RSS grew by ${growth.toFixed(1)} MB between the first and last third of the soak`);
    recordFigure({
      area: 'soak',
      what: `poll --follow --interval 1 for ${seconds} s, 50 new events/s`,
      tried: runs,
      lost: lostBeforeEnd,
      duplicates,
      note: `${delivered.size} events; RSS peak ${peak.toFixed(0)} MB, slope ${mbPerMinute.toFixed(2)} MB/min after warm-up; ${lost} events made after the final read were left for the next poll`,
    });
  });
});
