import { strict as assert } from 'node:assert';
import { readDefaultConf } from './appFiles.js';

const APP_MACROS = ['asana_audit', 'asana_audit_ta_log'];

/** Minutes of the hour a cron minute field selects (*, n, a-b, with /step, comma lists). */
function cronMinutes(field: string): number[] {
  const minutes = new Set<number>();
  for (const part of field.split(',')) {
    if (!/^(\*|\d+(-\d+)?)(\/\d+)?$/.test(part)) throw new Error(`unsupported cron minute field: ${field}`);
    const [range = '', stepText] = part.split('/');
    const step = Number(stepText ?? 1);
    const [a = 0, b] = range === '*' ? [0, 59] : range.split('-').map(Number);
    const last = b ?? (stepText === undefined ? a : 59);
    for (let i = a; i <= last; i += step) if (i <= 59) minutes.add(i);
  }
  return [...minutes];
}

describe('savedsearches.conf', () => {
  const stanzas = [...readDefaultConf('savedsearches').stanzas].filter(([name]) => name !== 'default');
  const alerts = stanzas.filter(([, s]) => s.has('counttype') || s.has('alert_type'));
  const reports = stanzas.filter(([, s]) => !s.has('counttype') && !s.has('alert_type'));

  it('cron helper reads the forms the app uses', () => {
    assert.equal(cronMinutes('*/15').length, 4);
    assert.equal(cronMinutes('*/5').length, 12);
    assert.deepEqual(cronMinutes('7'), [7]);
    assert.deepEqual(cronMinutes('2-59/20'), [2, 22, 42]);
  });

  it('ships at least ten alerts, all disabled, scheduled no more than every 5 minutes', () => {
    assert.ok(alerts.length >= 10, `only ${alerts.length} alerts`);
    for (const [name, s] of alerts) {
      assert.equal(s.get('disabled'), '1', `${name} must ship disabled`);
      assert.equal(s.get('enableSched'), '1', `${name} must be scheduled`);
      const cron = (s.get('cron_schedule') ?? '').trim().split(/\s+/);
      assert.equal(cron.length, 5, `${name}: 5-field cron`);
      assert.ok(cronMinutes(cron[0] ?? '').length <= 12, `${name}: runs more than 12 times an hour`);
      assert.ok(s.get('dispatch.earliest_time') || s.get('dispatch.index_earliest'), `${name}: needs an earliest time`);
      assert.ok(s.get('dispatch.latest_time') || s.get('dispatch.index_latest'), `${name}: needs a latest time`);
      assert.match(s.get('alert.severity') ?? '', /^[1-6]$/, `${name}: alert.severity`);
      assert.equal(s.get('alert.track'), '1', `${name}: listed in Triggered Alerts`);
    }
  });

  it('throttles every alert with alert.suppress on fields its results carry', () => {
    for (const [name, s] of alerts) {
      assert.equal(s.get('alert.suppress'), '1', `${name}: alert.suppress`);
      assert.match(s.get('alert.suppress.period') ?? '', /^\d+[smhd]$/, `${name}: alert.suppress.period`);
      assert.equal(s.get('alert.digest_mode'), '0', `${name}: per-result alerting so suppression applies per field value`);
      const fields = (s.get('alert.suppress.fields') ?? '')
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean);
      assert.ok(fields.length > 0, `${name}: alert.suppress.fields`);
      const search = s.get('search') ?? '';
      for (const field of fields) {
        assert.match(search, new RegExp(`\\b${field}\\b`), `${name}: suppression field ${field} is not in the search's results`);
      }
    }
  });

  it('describes what each alert catches and how to tune it', () => {
    for (const [name, s] of alerts) {
      const description = s.get('description') ?? '';
      assert.match(description, /^Catches /, `${name}: description should say what it catches`);
      assert.match(description, /Tune/, `${name}: description should say how to tune it`);
    }
  });

  it('starts every search from an app macro, never from a literal index or sourcetype', () => {
    for (const [name, s] of stanzas) {
      const search = (s.get('search') ?? '').trim();
      const macro = /^`([\w]+)`/.exec(search)?.[1];
      assert.ok(macro && APP_MACROS.includes(macro), `${name}: must start with \`asana_audit\` (or \`asana_audit_ta_log\` for the add-on's own log)`);
      assert.doesNotMatch(search, /\b(index|sourcetype)\s*=/, `${name}: index and sourcetype come from the macro`);
    }
    const auditAlerts = alerts.filter(([, s]) => (s.get('search') ?? '').startsWith('`asana_audit`'));
    assert.ok(auditAlerts.length >= 10, 'at least ten alerts on the audit events themselves');
  });

  it('covers the security events the issue lists', () => {
    const searches = alerts.map(([, s]) => s.get('search') ?? '').join('\n');
    for (const type of [
      'user_login_failed',
      'user_login_succeeded',
      'user_workspace_admin_role_changed',
      'workspace_require_two_factor_auth_disabled',
      'workspace_saml_settings_changed',
      'workspace_google_sso_settings_changed',
      'workspace_password_requirements_changed',
      'workspace_personal_access_token_enabled',
      'workspace_export_started',
      'task_permanently_deleted',
      'service_account_created',
      'user_app_authorized',
    ]) {
      assert.ok(searches.includes(type), `no alert looks at ${type}`);
    }
    assert.ok(
      alerts.some(([, s]) => /streamstats time_window=\d+m count AS deletions/.test(s.get('search') ?? '')),
      'mass deletion in a window',
    );
    assert.ok(
      alerts.some(([, s]) => /eventstats min\(first_seen\)/.test(s.get('search') ?? '')),
      'login from a new IP',
    );
  });

  it('has trend reports: events per category per day, top actors, exports per week', () => {
    const searches = reports.map(([, s]) => s.get('search') ?? '');
    assert.ok(searches.some((q) => /timechart span=1d count BY event_category/.test(q)));
    assert.ok(searches.some((q) => /BY src_user/.test(q) && /sort - events/.test(q)));
    assert.ok(searches.some((q) => /content_export/.test(q) && /timechart span=1w/.test(q)));
    for (const [name, s] of reports) assert.ok(s.get('description'), `${name}: description`);
  });
});
