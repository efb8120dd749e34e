/**
 * `npm run bench`: backfill speed against the rate limit, CPU cost next to a bare baseline, peak
 * memory and start-up time, measured against the bundled mock on this machine. Prints one table.
 * Options: --events N (backfill, default 100000), --cpu-events N (default 100000), --rss-events N
 * (default: --cpu-events; the docs/performance.md figure uses 1000000), --startup-runs N (default 11),
 * --skip-serial (leave out the one-stream backfill, which takes N/100 x 250 ms).
 * Run: npm run bench [-- --events 1000000 ...]
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { checkpointPathFor } from '../collector/checkpointStore.js';
import { silentLogger } from '../logging/logger.js';
import { startMockAsana, type MockAsanaOptions } from '../mock/server.js';
import type { InputSettings } from '../settings/settings.js';
import { XmlEventStream } from '../sinks/xml/xmlEventStream.js';
import { runInput } from '../runner/runInput.js';
import {
  BUNDLE,
  bareDrain,
  type ChildReport,
  type DrainChildSpec,
  LAUNCHER,
  medianWallMs,
  pollArgs,
  runDrainChild,
  runLauncher,
  startMockProcess,
  tempDir,
} from './benchRunner.js';

const RATE_LIMIT = 1500;
const LATENCY_MS = 250;
const DEFAULT_CONCURRENCY = 8;

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
      backfillSettleMinutes: 60,
    } as InputSettings;
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
    },
  });
  const events = Number(values.events);
  const cpuEvents = Number(values['cpu-events']);
  const rssEvents = Number(values['rss-events'] ?? cpuEvents);
  const startupRuns = Number(values['startup-runs']);
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const rows: string[] = [];
  const pct = (x: number) => `${x.toFixed(2)}`;

  // 1. Backfill at the speed of the rate limit.
  progress(`starting a mock with ${events} events, ${LATENCY_MS} ms latency, ${RATE_LIMIT}/min limit`);
  const tokens = ['bench-token-default', 'bench-token-serial'];
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
      const ratio = baseline && r !== baseline ? `, ${pct(eps / ((cpuEvents / baseline.wallMs) * 1000))} of baseline events/s, ${pct(baseline.cpuMs / r.cpuMs)} of baseline CPU efficiency` : '';
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
      const r = await runDrainChild({ mode: 'addon', url: big.url, workspaceGid: big.workspaceGid, token, concurrency: DEFAULT_CONCURRENCY, checkpointDir: tempDir('bench-rss-'), name: 'bench' });
      const { lost, duplicated } = r.counter.verdict(rssEvents);
      rows.push(
        `| peak RSS draining ${rssEvents.toLocaleString('en-US')} events, backfill_concurrency ${DEFAULT_CONCURRENCY} | ${Math.round(r.maxRssKb / 1024)} MB, ${Math.round((rssEvents / r.wallMs) * 1000).toLocaleString('en-US')} events/s, ${lost} lost, ${duplicated} duplicated (${r.status}) |`,
      );
    } finally {
      await big.close();
    }
  }

  out(`\nbenchmark on ${process.platform} ${process.arch}, ${(await import('node:os')).cpus().length} cores, node ${process.versions.node}\n`);
  out('| case | result |');
  out('|---|---|');
  for (const row of rows) out(row);
}
