/**
 * `npm run bench`: backfill speed against the rate limit, CPU cost next to a bare baseline, peak
 * memory and start-up time, measured against the bundled mock on this machine. Prints one table.
 * Options: --events N (backfill, default 100000), --cpu-events N (default 100000), --rss-events N
 * (default: --cpu-events; the docs/performance.md figure uses 1000000), --startup-runs N (default 11),
 * --skip-serial (leave out the one-stream backfill, which takes N/100 x 250 ms), --skip-hec (leave out
 * the backfill through HEC with 3-second acknowledgments), --startup-only (only the start-up rows),
 * --reread-only (only the late-event re-read state row). Start-up is measured with the node running
 * the bench and with the app's own runtime (the linux-x64 package's Node.js, from the runtime cache).
 * Run: npm run bench [-- --events 1000000 ...]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { checkpointPathFor } from '../src/collector/checkpointStore.js';
import { EmittedGidStore } from '../src/collector/emittedGidStore.js';
import { EmittedGids } from '../src/collector/emittedGids.js';
import { silentLogger } from '../src/logging/logger.js';
import { startMockHec } from '../src/mock/hecServer.js';
import { startMockAsana, type MockAsanaOptions } from '../src/mock/server.js';
import type { AuditLogEvent } from '../src/model/auditLog.js';
import type { InputSettings } from '../src/settings/settings.js';
import { XmlEventStream } from '../src/sinks/xml/xmlEventStream.js';
import { runInput } from '../src/runner/runInput.js';
import { bundledRuntimeStartupRows } from './benchRuntime.js';
import {
  BUNDLE,
  bareDrain,
  type ChildReport,
  hecPollArgs,
  hecVerdict,
  type DrainChildSpec,
  LAUNCHER,
  medianWallMs,
  pollArgs,
  runDrainChild,
  runLauncher,
  samplePeakRss,
  startMockProcess,
  tempDir,
} from './benchRunner.js';

const RATE_LIMIT = 1500;
const LATENCY_MS = 250;
const DEFAULT_CONCURRENCY = 8;
/** Splunk Cloud acknowledges a batch once the indexers have replicated it: seconds. */
const HEC_ACK_DELAY_MS = 3_000;
const HEC_TOKEN = 'bench-hec-token-3f9c2a71';

if (process.argv[2] === '--child') await child(process.argv[3] as string, JSON.parse(process.argv[4] as string));
else await main();

async function child(kind: string, spec: unknown): Promise<void> {
  const send = (m: ChildReport) => process.send?.(m);
  if (kind === 'mock') {
    const mock = await startMockAsana(spec as MockAsanaOptions);
    process.on('message', (m: { kind?: string }) => {
      if (m.kind === 'stats') send({ kind: 'stats', ...mock.stats() });
    });
    process.once('SIGTERM', () => void mock.close().then(() => process.exit(0)));
    send({ kind: 'ready', url: mock.url, workspaceGid: mock.workspaceGid });
    return;
  }
  const s = spec as DrainChildSpec;
  const started = performance.now();
  const cpu = process.cpuUsage();
  let status = 'ok';
  if (s.mode === 'baseline') {
    await bareDrain(s.url, s.workspaceGid, s.token, process.stdout);
  } else {
    // The settings path caps requests at 1,500 a minute; lifting it here takes the API out of the way.
    const settings: InputSettings = {
      name: s.name,
      workspaceGid: s.workspaceGid,
      token: s.token,
      filters: {},
      pageSize: 100,
      maxRequestsPerMinute: 1e9,
      apiBaseUrl: s.url,
      logLevel: 'WARN',
      backfillConcurrency: s.concurrency,
      lateEventMinutes: 60,
      deprecated: [],
    } as unknown as InputSettings;
    const sink = new XmlEventStream(process.stdout, { stanza: `asana_audit_log://${s.name}` });
    const outcome = await runInput({
      settings,
      sink,
      checkpointFile: checkpointPathFor(s.checkpointDir, s.name),
      logger: silentLogger,
      summaryLogger: silentLogger,
    });
    await sink.close();
    status = outcome.status === 'ok' ? (outcome.summary.caughtUp ? 'caught_up' : 'stopped') : outcome.status;
  }
  await new Promise<void>((r) => process.stdout.write('', () => r()));
  const used = process.cpuUsage(cpu);
  send({
    kind: 'done',
    cpuUserMs: used.user / 1000,
    cpuSystemMs: used.system / 1000,
    maxRssKb: process.resourceUsage().maxRSS,
    wallMs: performance.now() - started,
    status,
  });
  process.disconnect?.();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '100000' },
      'cpu-events': { type: 'string', default: '100000' },
      'rss-events': { type: 'string' },
      'startup-runs': { type: 'string', default: '11' },
      'skip-serial': { type: 'boolean', default: false },
      'skip-hec': { type: 'boolean', default: false },
      'startup-only': { type: 'boolean', default: false },
      'reread-only': { type: 'boolean', default: false },
    },
  });
  if (values['reread-only']) {
    process.stdout.write(`${rereadStateRow(100_000, 60)}\n`);
    return;
  }
  const events = Number(values.events);
  const cpuEvents = Number(values['cpu-events']);
  const rssEvents = Number(values['rss-events'] ?? cpuEvents);
  const startupRuns = Number(values['startup-runs']);
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const rows: string[] = [];
  const pct = (x: number) => `${x.toFixed(2)}`;
  const printTable = async () => {
    out(`\nbenchmark on ${process.platform} ${process.arch}, ${(await import('node:os')).cpus().length} cores, node ${process.versions.node}\n`);
    out('| case | result |');
    out('|---|---|');
    for (const row of rows) out(row);
  };
  if (values['startup-only']) {
    rows.push(...(await bundledRuntimeStartupRows(startupRuns, progress)));
    await printTable();
    return;
  }

  // 1. Backfill at the speed of the rate limit.
  progress(`starting a mock with ${events} events, ${LATENCY_MS} ms latency, ${RATE_LIMIT}/min limit`);
  const tokens = ['bench-token-default', 'bench-token-serial', 'bench-token-hec'];
  const limited = await startMockProcess({ initialEvents: events, latencyMs: LATENCY_MS, rateLimitPerMinute: RATE_LIMIT, tokens: { valid: tokens }, seed: 11 });
  try {
    const cases: Array<[string, number, string]> = [[`backfill_concurrency ${DEFAULT_CONCURRENCY} (default)`, DEFAULT_CONCURRENCY, tokens[0] as string]];
    if (!values['skip-serial']) cases.push(['backfill_concurrency 1', 1, tokens[1] as string]);
    for (const [label, concurrency, token] of cases) {
      progress(`backfill, ${label}`);
      const before = await limited.stats();
      const run = await runLauncher(
        pollArgs({
          url: limited.url,
          workspaceGid: limited.workspaceGid,
          checkpoint: `${tempDir('bench-ckpt-')}/bench.checkpoint`,
          extra: ['--max-requests-per-minute', String(RATE_LIMIT), '--backfill-concurrency', String(concurrency)],
        }),
        token,
      );
      const after = await limited.stats();
      const requests = after.requests - before.requests;
      const perMinute = (requests / run.wallMs) * 60_000;
      const { lost, duplicated } = run.counter.verdict(events);
      const status = /status=(\w+)/.exec(run.stderr)?.[1] ?? `exit ${run.code}`;
      rows.push(
        `| backfill ${events.toLocaleString('en-US')} events, ${label} | ${(run.wallMs / 1000).toFixed(1)} s wall, ${requests} requests, ${Math.round(perMinute)} pages/min = ${pct(perMinute / RATE_LIMIT)} of the limit, ${after.rateLimited - before.rateLimited} x 429, ${lost} lost, ${duplicated} duplicated (${status}) |`,
      );
    }

    // 1b. The same backfill through HEC with indexer acknowledgment that takes 3 seconds.
    if (!values['skip-hec']) {
      progress(`backfill through HEC, ${HEC_ACK_DELAY_MS} ms acknowledgments`);
      const hec = await startMockHec({ tokens: [{ token: HEC_TOKEN, ack: true }], ackDelayMs: HEC_ACK_DELAY_MS });
      try {
        const before = await limited.stats();
        const load = (await import('node:os')).loadavg()[0] ?? 0;
        let peakRssMb = (): number => 0;
        const run = await runLauncher(
          hecPollArgs({
            url: limited.url,
            workspaceGid: limited.workspaceGid,
            checkpoint: `${tempDir('bench-ckpt-')}/bench.checkpoint`,
            hecUrl: hec.url,
            extra: ['--max-requests-per-minute', String(RATE_LIMIT), '--backfill-concurrency', String(DEFAULT_CONCURRENCY)],
          }),
          tokens[2] as string,
          { env: { SPLUNK_HEC_TOKEN: HEC_TOKEN }, onStart: (child) => (peakRssMb = samplePeakRss(child)) },
        );
        const after = await limited.stats();
        const requests = after.requests - before.requests;
        const perMinute = (requests / run.wallMs) * 60_000;
        const { lost, duplicated } = hecVerdict(hec.indexed(), events);
        const status = /status=(\w+)/.exec(run.stderr)?.[1] ?? `exit ${run.code}`;
        const hs = hec.stats();
        rows.push(
          `| backfill ${events.toLocaleString('en-US')} events through HEC with acknowledgment (${HEC_ACK_DELAY_MS / 1000} s acks), backfill_concurrency ${DEFAULT_CONCURRENCY} | ${(run.wallMs / 1000).toFixed(1)} s wall, ${requests} requests, ${Math.round(perMinute)} pages/min = ${pct(perMinute / RATE_LIMIT)} of the limit, ${after.rateLimited - before.rateLimited} x 429, ${hs.eventRequests} HEC batches, ${hs.ackRequests} ack polls, at most ${hs.maxPendingAcksPerChannel} acks pending, collector peak RSS ${peakRssMb()} MB, ${lost} lost, ${duplicated} duplicated (${status}; load average ${load.toFixed(1)} at the start) |`,
        );
      } finally {
        await hec.close();
      }
    }
  } finally {
    await limited.close();
  }

  // 2 and 3. CPU with the API out of the way; peak RSS.
  progress(`starting a mock with ${cpuEvents} events, no latency, no limit`);
  const token = 'bench-token-cpu';
  const open = await startMockProcess({ initialEvents: cpuEvents, tokens: { valid: [token] }, seed: 12 });
  let caughtUpDir = '';
  try {
    const spec = (mode: DrainChildSpec['mode'], concurrency: number): DrainChildSpec => ({
      mode,
      url: open.url,
      workspaceGid: open.workspaceGid,
      token,
      concurrency,
      checkpointDir: tempDir('bench-cpu-'),
      name: 'bench',
    });
    const results: Array<[string, Awaited<ReturnType<typeof runDrainChild>>]> = [];
    for (const [label, s] of [
      ['bare baseline (fetch, JSON.parse, write NDJSON)', spec('baseline', 1)],
      [`add-on, backfill_concurrency ${DEFAULT_CONCURRENCY}`, spec('addon', DEFAULT_CONCURRENCY)],
      ['add-on, backfill_concurrency 1', spec('addon', 1)],
    ] as const) {
      progress(`cpu: ${label}`);
      const r = await runDrainChild(s);
      results.push([label, r]);
      if (label.includes(`concurrency ${DEFAULT_CONCURRENCY}`)) caughtUpDir = s.checkpointDir;
    }
    const baseline = results[0]?.[1];
    for (const [label, r] of results) {
      const eps = (cpuEvents / r.wallMs) * 1000;
      const cpuPerMillion = (r.cpuMs / 1000) * (1_000_000 / cpuEvents);
      const { lost, duplicated } = r.counter.verdict(cpuEvents);
      const ratio =
        baseline && r !== baseline
          ? `, ${pct(eps / ((cpuEvents / baseline.wallMs) * 1000))} of baseline events/s, ${pct(baseline.cpuMs / r.cpuMs)} of baseline CPU efficiency`
          : '';
      rows.push(
        `| CPU ${cpuEvents.toLocaleString('en-US')} events, ${label} | ${Math.round(eps).toLocaleString('en-US')} events/s, ${cpuPerMillion.toFixed(1)} CPU s per million events${ratio}, peak RSS ${Math.round(r.maxRssKb / 1024)} MB, ${lost} lost, ${duplicated} duplicated (${r.status}) |`,
      );
    }

    // 4. Start-up, next to node itself.
    progress('start-up');
    const nodeMs = await medianWallMs(process.execPath, ['-e', '0'], startupRuns);
    const schemeMs = await medianWallMs(LAUNCHER, ['--scheme'], startupRuns);
    const schemeDirectMs = await medianWallMs(process.execPath, [BUNDLE, '--scheme'], startupRuns);
    const idleArgs = pollArgs({ url: open.url, workspaceGid: open.workspaceGid, checkpoint: checkpointPathFor(caughtUpDir, 'bench') });
    const idle = await runLauncher(idleArgs, token);
    if (idle.code !== 0 || idle.counter.total !== 0) throw new Error(`the caught-up run fetched ${idle.counter.total} events: ${idle.stderr}`);
    const env = { ...process.env, ASANA_TOKEN: token };
    const idleMs = await medianWallMs(LAUNCHER, idleArgs, startupRuns, env);
    const idleDirectMs = await medianWallMs(process.execPath, [BUNDLE, ...idleArgs], startupRuns, env);
    rows.push(
      `| start-up, median of ${startupRuns} | node -e 0 ${Math.round(nodeMs)} ms; --scheme ${Math.round(schemeMs)} ms via the launcher (${pct(schemeMs / nodeMs)}x), ${Math.round(schemeDirectMs)} ms node+bundle (${pct(schemeDirectMs / nodeMs)}x); poll run with nothing to fetch ${Math.round(idleMs)} ms via the launcher (${pct(idleMs / nodeMs)}x), ${Math.round(idleDirectMs)} ms node+bundle (${pct(idleDirectMs / nodeMs)}x) |`,
    );
  } finally {
    await open.close();
  }

  if (rssEvents !== cpuEvents) {
    progress(`peak RSS: starting a mock with ${rssEvents} events`);
    const big = await startMockProcess({ initialEvents: rssEvents, tokens: { valid: [token] }, seed: 13 });
    try {
      const r = await runDrainChild({
        mode: 'addon',
        url: big.url,
        workspaceGid: big.workspaceGid,
        token,
        concurrency: DEFAULT_CONCURRENCY,
        checkpointDir: tempDir('bench-rss-'),
        name: 'bench',
      });
      const { lost, duplicated } = r.counter.verdict(rssEvents);
      rows.push(
        `| peak RSS draining ${rssEvents.toLocaleString('en-US')} events, backfill_concurrency ${DEFAULT_CONCURRENCY} | ${Math.round(r.maxRssKb / 1024)} MB, ${Math.round((rssEvents / r.wallMs) * 1000).toLocaleString('en-US')} events/s, ${lost} lost, ${duplicated} duplicated (${r.status}) |`,
      );
    } finally {
      await big.close();
    }
  }

  // 5. What the late-event re-read keeps: one horizon and a quarter at 100,000 events an hour.
  progress('late-event re-read state');
  rows.push(rereadStateRow(100_000, 60));

  rows.push(...(await bundledRuntimeStartupRows(startupRuns, progress)));
  await printTable();
}

/**
 * Heap and disk held by the emitted-gid buckets at their largest: the re-read keeps the gids of
 * `late_event_minutes` plus a quarter of it before a stretch is due (plus two one-minute buckets).
 */
function rereadStateRow(eventsPerHour: number, lateMinutes: number): string {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const held = Math.round((eventsPerHour / 60) * (lateMinutes * 1.25 + 2));
  const file = path.join(tempDir('bench-reread-'), 'bench.checkpoint.emitted');
  const store = new EmittedGidStore({ file, logger: silentLogger });
  const t0 = Date.parse('2026-11-20T00:00:00.000Z');
  gc();
  const before = process.memoryUsage().heapUsed;
  const emitted = new EmittedGids(t0);
  let page: AuditLogEvent[] = [];
  for (let i = 0; i < held; i++) {
    const gid = String(1_210_000_000_000_000 + i * 7919);
    const createdAt = new Date(t0 + Math.floor((i * 3_600_000) / eventsPerHour)).toISOString();
    page.push({ gid, created_at: createdAt, json: JSON.stringify({ gid, created_at: createdAt }) });
    if (page.length === 100 || i === held - 1) {
      store.append(emitted.add(page));
      page = [];
    }
  }
  gc();
  const heapMb = (process.memoryUsage().heapUsed - before) / 1e6;
  const diskMb = fs.statSync(file).size / 1e6;
  return `| late-event re-read state, ${eventsPerHour.toLocaleString('en-US')} events/hour, late_event_minutes ${lateMinutes} | ${emitted.size.toLocaleString('en-US')} gids held at most: ${heapMb.toFixed(1)} MB heap, ${diskMb.toFixed(1)} MB on disk (up to ${(2 * diskMb).toFixed(1)} MB just before a compaction) |`;
}
