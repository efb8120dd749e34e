import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMockAsana, type MockAsana } from '../../src/mock/server.js';
import { startMockSplunkd, type MockSplunkd } from '../../src/mock/splunkd.js';
import { startForwardProxy } from '../support/forwardProxy.js';
import { errorLines, inputXml, parseEventStream, runLauncherOrKill, tempDir, type ChildResult } from '../support/splunkdHarness.js';
import { makeTestCa } from '../support/testCa.js';
import { recordFigure, scaled } from './figures.js';

const TOKEN = 'hostile-peer-token-3b5d7f9a1c';
const SESSION_KEY = 'hostile-peer-session-6e8a0c2b4d';
/** A run still going after this long is killed and counted as hung. */
const HUNG_MS = 60_000;

/** A launcher run as splunkd makes it, killed (and marked hung) when it does not end. */
async function launch(stdin: string, env: NodeJS.ProcessEnv = {}): Promise<ChildResult & { hung: boolean; ms: number }> {
  const started = Date.now();
  const r = await runLauncherOrKill([], stdin, HUNG_MS, { env: { ...process.env, ...env } });
  return { ...r, ms: Date.now() - started };
}

describe('reliability: hostile peers (Asana, proxies, splunkd) and hostile names', function () {
  this.timeout(0);
  let asana: MockAsana;
  let splunkd: MockSplunkd;

  beforeEach(async () => {
    asana = await startMockAsana({ tokens: { valid: [TOKEN] } });
    asana.generateEvents(5);
    splunkd = await startMockSplunkd({ sessionKey: SESSION_KEY });
  });
  afterEach(async () => {
    await asana.close();
    await splunkd.close();
  });

  const xml = (opts: { name?: string; dir?: string; params?: Record<string, string> } = {}) =>
    inputXml({
      checkpointDir: opts.dir ?? tempDir('rel-peer-'),
      name: opts.name ?? 'acme',
      params: { workspace_gid: asana.workspaceGid, token: TOKEN, api_base_url: asana.url, max_requests_per_minute: '1500', ...opts.params },
      serverUri: splunkd.uri,
      sessionKey: SESSION_KEY,
    });

  it('storage/passwords answered by an SSO page, an endless body or a dripping one: the token is never lost', async () => {
    const faults = [
      { route: 'create', fault: { status: 200, contentType: 'text/html', body: '<html><body>Sign in</body></html>' }, label: 'SSO page' },
      { route: 'create', fault: 'endless', label: 'endless body' },
      { route: 'create', fault: 'drip', label: 'dripping body' },
    ] as const;
    const runs = scaled(2);
    let tried = 0;
    let lostTokens = 0;
    let notClear = 0;
    let longest = 0;
    for (let i = 0; i < runs; i++) {
      for (const f of faults) {
        tried++;
        splunkd.inputEdits.length = 0;
        splunkd.entries.clear();
        splunkd.failRoute(f.route, f.fault);
        const r = await launch(xml());
        longest = Math.max(longest, r.ms);
        if (splunkd.inputEdits.length > 0 && splunkd.entries.size === 0) lostTokens++;
        if (r.hung || r.code !== 1 || errorLines(r.stderr).length !== 1) notClear++;
      }
    }
    recordFigure({
      area: 'hostile input',
      what: 'storage/passwords answered with a 200 text/html SSO page, an endless body, a body dripping a byte every 100 ms (runs)',
      tried,
      lost: 0,
      duplicates: 0,
      note: `${lostTokens} inputs masked without a stored token, ${notClear} runs without exactly one ERROR; longest run ${(longest / 1000).toFixed(1)} s (before: masked and the token lost; the endless and dripping bodies never ended)`,
    });
    assert.equal(lostTokens + notClear, 0);
  });

  it('NODE_TLS_REJECT_UNAUTHORIZED=0 with an untrusted Asana certificate, direct and through a proxy tunnel', async () => {
    const ca = makeTestCa('Impostor CA');
    const impostor = await startMockAsana({ tokens: { valid: [TOKEN] }, tls: ca.issue({ commonName: 'localhost', san: 'IP:127.0.0.1' }) });
    impostor.generateEvents(3);
    const proxy = await startForwardProxy();
    let tried = 0;
    let reached = 0;
    let unlevelled = 0;
    try {
      for (let i = 0; i < scaled(3); i++) {
        for (const viaProxy of [false, true]) {
          tried++;
          const r = await launch(xml({ params: { api_base_url: impostor.url, ...(viaProxy ? { proxy_url: proxy.url } : {}) } }), {
            NODE_TLS_REJECT_UNAUTHORIZED: '0',
          });
          unlevelled += r.stderr.split('\n').filter((l) => l !== '' && !/^(DEBUG|INFO|WARN|ERROR) /.test(l)).length;
        }
      }
      reached = impostor.stats().requests;
    } finally {
      await impostor.close();
      await proxy.close();
    }
    recordFigure({
      area: 'hostile input',
      what: 'NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment, Asana certificate from an untrusted CA, direct and via CONNECT (runs)',
      tried,
      lost: 0,
      duplicates: 0,
      note: `${reached} requests (with the token) reached the untrusted server; ${unlevelled} stderr lines without a level word (before: the token was sent, and Node's warning had no level)`,
    });
    assert.equal(reached + unlevelled, 0);
  });

  it('URLs that would leak or mangle: user:pass@, ?query, #fragment in api_base_url and proxy_url; plain-http proxy across the network', async () => {
    const lan = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
    const u = new URL(asana.url);
    const cases: Array<Record<string, string>> = [
      { api_base_url: `${u.protocol}//alice:s3cret@${u.host}${u.pathname}` },
      { api_base_url: `${asana.url}?limit=1` },
      { api_base_url: `${asana.url}#x` },
      { api_base_url: `${asana.url}?` },
      { api_base_url: `${asana.url}#` },
      { proxy_url: 'http://127.0.0.1:3128/?' },
      { proxy_url: 'http://127.0.0.1:3128#' },
      ...(lan ? [{ proxy_url: `http://${lan}:3128` }] : []),
    ];
    let tried = 0;
    let accepted = 0;
    for (const params of cases) {
      tried++;
      const r = await launch(xml({ params }));
      const named = Object.keys(params)[0] as string;
      if (r.hung || r.code !== 1 || errorLines(r.stderr).length !== 1 || !(errorLines(r.stderr)[0] ?? '').includes(`invalid setting ${named}`)) accepted++;
    }
    const sent = asana.stats().requests;
    recordFigure({
      area: 'hostile input',
      what: 'api_base_url with user:pass@, ?query, #fragment (also empty ? and #); proxy_url with ? or #; plain-http proxy on a LAN address with a loopback http api_base_url (runs)',
      tried,
      lost: 0,
      duplicates: 0,
      note: `${accepted} not refused with one ERROR naming the setting, ${sent} requests sent (before: Basic auth instead of the token, mangled paths, an endless loop, the token in clear text to the proxy)`,
    });
    assert.equal(accepted + sent, 0);
  });

  it('an error body that echoes the token raw, JSON-, \\u-, URL-, form- and base64-encoded', async () => {
    const token = 'rel"echo\\tok/en+9c1e3a5b7d';
    const echoing = await startMockAsana({ tokens: { valid: [token] } });
    echoing.generateEvents(2);
    const forms = [
      token,
      JSON.stringify(token).slice(1, -1),
      token.replace(/[^A-Za-z0-9]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`),
      encodeURIComponent(token),
      new URLSearchParams({ t: token }).toString().slice(2),
      Buffer.from(token).toString('base64'),
    ];
    // The tail survives any number of JSON escapings: a form escaped again when a log line quotes it is found too.
    const tail = /9c1e3a5b7d/i;
    const body = JSON.stringify({ errors: [{ message: `echo ${forms.join(' | ')}` }] });
    const logFile = path.join(tempDir('rel-echo-log-'), 'ta_asana_audit_log.log');
    let tried = 0;
    let leaks = 0;
    try {
      for (let i = 0; i < scaled(3); i++) {
        for (const status of [500, 400]) {
          tried++;
          echoing.scriptFaults([{ kind: 'status', status, body, contentType: 'application/json' }]);
          const r = await launch(
            inputXml({
              checkpointDir: tempDir('rel-echo-'),
              name: 'acme',
              params: { workspace_gid: echoing.workspaceGid, token, api_base_url: echoing.url },
              serverUri: splunkd.uri,
              sessionKey: SESSION_KEY,
            }),
            { ASANA_AUDIT_LOG_FILE: logFile },
          );
          leaks += forms.filter((f) => r.stderr.includes(f) || r.stdout.includes(f)).length + (tail.test(r.stderr) || tail.test(r.stdout) ? 1 : 0);
        }
      }
      const log = fs.readFileSync(logFile, 'utf8');
      leaks += forms.filter((f) => log.includes(f)).length + (tail.test(log) ? 1 : 0);
    } finally {
      await echoing.close();
    }
    recordFigure({
      area: 'hostile input',
      what: 'Asana error bodies (retried 500, fatal 400) echoing the token raw, JSON-escaped, \\u-escaped, URL-, form- and base64-encoded (runs)',
      tried,
      lost: 0,
      duplicates: 0,
      note: `${leaks} forms or pieces of the token found in stdout, stderr or the log file (before: the escaped forms appeared in the WARN/ERROR line and the log file; until this release, the JSON-escaped form quoted again in the retry WARN's cause=)`,
    });
    assert.equal(leaks, 0);
  });

  it('an API that never moves on: the same offset back, or fresh offsets with nothing new', async () => {
    let tried = 0;
    let bad = 0;
    let maxRequests = 0;
    let duplicates = 0;
    for (let i = 0; i < scaled(2); i++) {
      for (const mode of ['same_offset', 'fresh_offsets'] as const) {
        tried++;
        const dir = tempDir('rel-stall-');
        asana.stallPaging(mode);
        const before = asana.stats().requests;
        const r = await launch(xml({ dir }));
        const requests = asana.stats().requests - before;
        maxRequests = Math.max(maxRequests, requests);
        const first = parseEventStream(r.stdout).map((e) => e.data.gid);
        asana.stallPaging(undefined);
        const again = await launch(xml({ dir }));
        duplicates += parseEventStream(again.stdout).filter((e) => first.includes(e.data.gid)).length;
        if (r.hung || r.code !== 1 || errorLines(r.stderr).length !== 1 || !/code=no_progress/.test(errorLines(r.stderr)[0] ?? '') || again.code !== 0) bad++;
      }
    }
    recordFigure({
      area: 'hostile input',
      what: 'Asana pages that never move on: the same offset back / a fresh offset each time, no new event (runs, then a normal run)',
      tried,
      lost: 0,
      duplicates,
      note: `${bad} runs not ended by one no_progress ERROR; at most ${maxRequests} requests per run (before: 3,708 requests in 150 s and no end)`,
    });
    assert.equal(bad + duplicates, 0);
  });

  it('checkpoints with valid checksums and nonsense contents', async () => {
    let tried = 0;
    let misblamed = 0;
    const variants: Array<(c: Record<string, unknown>) => Record<string, unknown>> = [
      (c) => ({ startAt: 'garbage', offset: null, mark: c.mark === null ? null : { createdAt: 'garbage', gids: (c.mark as { gids: string[] }).gids } }),
      (c) => ({ ...c, offset: '' }),
      (c) => ({ ...c, offset: null, mark: { createdAt: '2026-02-30T99:99:99Z', gids: ['1'] } }),
    ];
    for (const variant of variants) {
      tried++;
      const dir = tempDir('rel-nonsense-');
      await launch(xml({ dir }));
      const file = path.join(dir, 'acme.checkpoint');
      const cp = JSON.parse(fs.readFileSync(file, 'utf8').trim().split('\n').at(-1) as string).checkpoint;
      const bad = { ...cp, cursor: variant(cp.cursor) };
      const json = JSON.stringify(bad);
      fs.writeFileSync(file, `{"sum":"${createHash('sha256').update(json).digest('hex').slice(0, 32)}","checkpoint":${json}}\n`);
      const r = await launch(xml({ dir }));
      if (r.code !== 1 || errorLines(r.stderr).length !== 1 || !/code=checkpoint_corrupt/.test(errorLines(r.stderr)[0] ?? '')) misblamed++;
    }
    recordFigure({
      area: 'hostile input',
      what: 'checkpoint generations with a valid checksum and nonsense inside: "garbage" dates, an empty offset, 2026-02-30T99:99:99Z (runs)',
      tried,
      lost: 0,
      duplicates: 0,
      note: `${misblamed} runs not stopped by one checkpoint_corrupt ERROR naming the field (before: a 400 from Asana blamed on start_at, every run)`,
    });
    assert.equal(misblamed, 0);
  });

  it('input names: . and .., and names whose checkpoint files collided', async () => {
    let tried = 0;
    let bad = 0;
    for (const name of ['.', '..']) {
      tried++;
      splunkd.calls.length = 0;
      const r = await launch(xml({ name }));
      if (r.code !== 1 || errorLines(r.stderr).length !== 1 || splunkd.calls.length > 0) bad++;
    }
    const pairs: Array<[string, string]> = [
      ['team/a', 'team_a-65f838a2fbff'],
      ['a b', 'a%20b'],
      ['x.y', 'x%2Ey'],
    ];
    let starved = 0;
    for (const [a, b] of pairs) {
      tried++;
      const dir = tempDir('rel-names-');
      const first = await launch(xml({ name: a, dir }));
      const second = await launch(xml({ name: b, dir }));
      if (parseEventStream(first.stdout).length !== 5 || parseEventStream(second.stdout).length !== 5) starved++;
    }
    recordFigure({
      area: 'hostile input',
      what: 'inputs named . and ..; pairs of names in one checkpoint_dir (team/a with team_a-65f838a2fbff, a b with a%20b, x.y with x%2Ey) (runs)',
      tried,
      lost: starved * 5,
      duplicates: 0,
      note: `${bad} dot names not refused before any REST call; ${starved} pairs where an input did not get every event (before: the mask edit went to another REST path; team_a-65f838a2fbff collected nothing)`,
    });
    assert.equal(bad + starved, 0);
  });
});
