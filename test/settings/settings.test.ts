import assert from 'node:assert/strict';
import { ARGS } from '../../src/settings/args.js';
import { parseInputSettings, SettingsError } from '../../src/settings/settings.js';
import { parseStartAt } from '../../src/settings/startAt.js';

const valid = { workspace_gid: '1200000000000001', token: 'secret-token-value' };

function problemsFor(params: Record<string, string>): string[] {
  try {
    parseInputSettings('acme', { ...valid, ...params });
  } catch (e) {
    assert.ok(e instanceof SettingsError);
    return e.problems.map((p) => `${p.arg} ${p.message}`);
  }
  return [];
}

describe('input settings', () => {
  it('fills the documented defaults', () => {
    const s = parseInputSettings('acme', { ...valid, index: 'main', interval: '60' });
    assert.equal(s.pageSize, 100);
    assert.equal(s.maxRequestsPerMinute, 600);
    assert.equal(s.apiBaseUrl, 'https://app.asana.com/api/1.0');
    assert.equal(s.logLevel, 'INFO');
    assert.deepEqual(s.filters, {});
    assert.equal(s.startAt, undefined);
    assert.equal(s.lateEventMinutes, 60);
    assert.deepEqual(s.deprecated, []);
  });

  it('takes late_event_minutes from 0 (off) through 1 to 1440', () => {
    for (const n of [0, 1, 1440]) assert.equal(parseInputSettings('acme', { ...valid, late_event_minutes: String(n) }).lateEventMinutes, n);
  });

  it('reads the deprecated backfill_settle_minutes as late_event_minutes when only it is set, and says so', () => {
    const old = parseInputSettings('acme', { ...valid, backfill_settle_minutes: '90' });
    assert.equal(old.lateEventMinutes, 90);
    assert.deepEqual(old.deprecated, ['backfill_settle_minutes']);
    const both = parseInputSettings('acme', { ...valid, backfill_settle_minutes: '90', late_event_minutes: '30' });
    assert.equal(both.lateEventMinutes, 30, 'the new setting wins');
  });

  it('treats empty values as unset, as Splunk Web sends them', () => {
    const s = parseInputSettings('acme', { ...valid, page_size: '', start_at: '  ', event_type: '' });
    assert.equal(s.pageSize, 100);
    assert.equal(s.startAt, undefined);
    assert.deepEqual(s.filters, {});
  });

  const wrong: Array<[string, string, RegExp]> = [
    ['workspace_gid', 'acme-corp', /^workspace_gid must be digits only/],
    ['workspace_gid', '', /^workspace_gid is required/],
    ['token', '', /^token is required/],
    ['start_at', 'yesterday', /^start_at must be an ISO-8601 time/],
    ['start_at', '-7w', /^start_at must be an ISO-8601 time/],
    ['event_type', 'User Login', /^event_type must be an event type name/],
    ['actor_type', 'robot', /^actor_type must be one of user, asana, asana_support, anonymous, external_administrator/],
    ['actor_gid', 'bob', /^actor_gid must be digits only/],
    ['resource_gid', '12a', /^resource_gid must be digits only/],
    ['page_size', '0', /^page_size must be a whole number from 1 to 100/],
    ['page_size', '101', /^page_size must be a whole number from 1 to 100/],
    ['page_size', '2.5', /^page_size must be a whole number from 1 to 100/],
    ['max_requests_per_minute', '0', /^max_requests_per_minute must be a whole number from 1 to 1500/],
    ['max_requests_per_minute', 'lots', /^max_requests_per_minute must be a whole number/],
    ['api_base_url', 'http://app.asana.com/api/1.0', /^api_base_url must use https \(plain http is accepted only for loopback hosts/],
    ['api_base_url', 'not a url', /^api_base_url must be an absolute URL/],
    ['late_event_minutes', '1441', /^late_event_minutes must be a whole number from 0 to 1440/],
    ['late_event_minutes', '-1', /^late_event_minutes must be a whole number from 0 to 1440/],
    ['late_event_minutes', 'soon', /^late_event_minutes must be a whole number from 0 to 1440/],
    ['backfill_settle_minutes', '4', /^backfill_settle_minutes must be a whole number from 5 to 1440/],
    ['log_level', 'VERBOSE', /^log_level must be DEBUG, INFO, WARN or ERROR/],
  ];
  for (const [arg, value, message] of wrong) {
    it(`names ${arg} when it is ${JSON.stringify(value)}`, () => {
      const problems = problemsFor({ [arg]: value });
      assert.equal(problems.length, 1, problems.join('; '));
      assert.match(problems[0] ?? '', message);
    });
  }

  it('refuses actor_type together with actor_gid', () => {
    assert.match(problemsFor({ actor_type: 'user', actor_gid: '123' }).join(), /actor_type cannot be combined with actor_gid/);
  });

  it('accepts plain http for loopback hosts only', () => {
    assert.equal(parseInputSettings('a', { ...valid, api_base_url: 'http://127.0.0.1:8910/api/1.0/' }).apiBaseUrl, 'http://127.0.0.1:8910/api/1.0');
    assert.equal(parseInputSettings('a', { ...valid, api_base_url: 'http://localhost:1/x' }).apiBaseUrl, 'http://localhost:1/x');
    assert.equal(problemsFor({ api_base_url: 'http://10.0.0.5/api' }).length, 1);
  });

  it('refuses user:password@, a query or a fragment in api_base_url, empty ones included', () => {
    for (const url of [
      'https://u:p@app.asana.com/api/1.0',
      'https://@app.asana.com/api/1.0',
      'https://app.asana.com/api/1.0?x=1',
      'https://app.asana.com/api/1.0?',
      'https://app.asana.com/api/1.0#f',
      'https://app.asana.com/api/1.0#',
    ]) {
      assert.deepEqual(
        problemsFor({ api_base_url: url }).map((p) => p.split(':')[0]),
        ['api_base_url must be only scheme, host, port and path, such as https'],
        url,
      );
    }
    assert.deepEqual(problemsFor({ api_base_url: 'https://app.asana.com/api/1.0/' }), []);
  });

  it('refuses a plain-http proxy on another host for a plain-http api_base_url, and only that', () => {
    const http = 'http://127.0.0.1:9000/api/1.0';
    assert.match(
      problemsFor({ api_base_url: http, proxy_url: 'http://proxy.corp:3128' })[0] ?? '',
      /^proxy_url is plain http to a host other than this machine/,
    );
    assert.deepEqual(problemsFor({ api_base_url: http, proxy_url: 'https://proxy.corp:3128' }), []);
    assert.deepEqual(problemsFor({ api_base_url: http, proxy_url: 'http://127.0.0.1:3128' }), []);
    assert.deepEqual(problemsFor({ api_base_url: http, proxy_url: 'http://[::1]:3128' }), []);
    assert.deepEqual(problemsFor({ proxy_url: 'http://proxy.corp:3128' }), [], 'https to Asana goes through a CONNECT tunnel');
  });

  it('reports every bad arg at once', () => {
    assert.equal(problemsFor({ page_size: 'x', log_level: 'y', actor_gid: 'z' }).length, 3);
  });

  it('never puts the token in a problem message', () => {
    const problems = problemsFor({ token: 'tok-123456', page_size: 'tok-123456' });
    assert.ok(problems.length > 0);
    for (const p of problems) assert.ok(!p.includes('tok-123456'), p);
  });

  it('defines every arg once, with a title and a description', () => {
    const names = ARGS.map((a) => a.name);
    assert.equal(new Set(names).size, names.length);
    for (const a of ARGS) {
      assert.match(a.name, /^[0-9a-zA-Z][0-9a-zA-Z_-]*$/);
      assert.ok(a.title.length > 0 && a.description.length > 0, a.name);
    }
  });
});

describe('start_at', () => {
  const now = new Date('2026-11-26T12:00:00.000Z');
  it('reads relative days, hours and minutes', () => {
    assert.equal(parseStartAt('-7d', now)?.toISOString(), '2026-11-19T12:00:00.000Z');
    assert.equal(parseStartAt('-12h', now)?.toISOString(), '2026-11-26T00:00:00.000Z');
    assert.equal(parseStartAt('-30m', now)?.toISOString(), '2026-11-26T11:30:00.000Z');
  });
  it('reads ISO-8601, taking a time without an offset as UTC', () => {
    assert.equal(parseStartAt('2026-11-01T08:00:00+02:00', now)?.toISOString(), '2026-11-01T06:00:00.000Z');
    assert.equal(parseStartAt('2026-11-01T08:00:00', now)?.toISOString(), '2026-11-01T08:00:00.000Z');
    assert.equal(parseStartAt('2026-11-01', now)?.toISOString(), '2026-11-01T00:00:00.000Z');
  });
  it('rejects anything else', () => {
    for (const t of ['7d', '-7', 'now', '2026-13-01', '2026-11-01 08:00']) assert.equal(parseStartAt(t, now), undefined, t);
  });
});
