import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { readRepoFile, viewFiles, VIEWS_DIR } from './appFiles.js';
import { parseStudioView, tokensIn, type StudioView } from './studioDashboard.js';

/** Tokens Splunk provides to drilldowns and time inputs without a dashboard input defining them. */
const BUILT_IN_TOKEN = /^(row|value|name|click|trellis|global_time)\b/;

const views: [string, StudioView][] = viewFiles().map((f) => [f, parseStudioView(readRepoFile(join(VIEWS_DIR, f)))]);
const view = (file: string) => views.find(([f]) => f === file)?.[1] ?? assert.fail(`${file} is missing`);

describe('dashboards: Dashboard Studio definitions', () => {
  it('ships the overview, investigation and ingestion health views, each Studio (version 2) with a label', () => {
    assert.deepEqual(
      views.map(([f]) => f),
      ['asana_audit_ingestion_health.xml', 'asana_audit_investigation.xml', 'asana_audit_overview.xml'],
    );
    for (const [file, v] of views) {
      assert.equal(v.version, '2', file);
      assert.ok(v.label.length > 0, `${file}: label`);
    }
  });

  it('rejects a view whose definition is not JSON or lacks required parts (the parser can fail)', () => {
    assert.throws(() => parseStudioView('<dashboard version="2"><label>x</label><definition><![CDATA[{ nope ]]></definition></dashboard>'));
    assert.throws(() => parseStudioView('<dashboard version="2"><label>x</label><definition><![CDATA[{"title":"t"}]]></definition></dashboard>'));
    assert.throws(() => parseStudioView('<form><label>x</label></form>'), /not <dashboard>/);
  });

  it('uses only search data sources that start from the app macros', () => {
    for (const [file, v] of views) {
      const expected = file === 'asana_audit_ingestion_health.xml' ? '`asana_audit_ta_log`' : '`asana_audit`';
      for (const [id, ds] of Object.entries(v.definition.dataSources)) {
        assert.equal(ds.type, 'ds.search', `${file} ${id}`);
        const query = ds.options?.query ?? '';
        assert.ok(query.startsWith(expected), `${file} ${id} must start with ${expected}: ${query}`);
        assert.doesNotMatch(query, /\b(index|sourcetype)\s*=/, `${file} ${id}: index and sourcetype come from the macro`);
      }
    }
  });

  it('wires every visualization and input to data sources that exist, and places each exactly once', () => {
    for (const [file, v] of views) {
      const d = v.definition;
      const dataSources = new Set(Object.keys(d.dataSources));
      const used = new Set<string>();
      for (const [id, item] of [...Object.entries(d.visualizations), ...Object.entries(d.inputs ?? {})]) {
        for (const ds of Object.values(item.dataSources ?? {})) {
          assert.ok(dataSources.has(ds), `${file} ${id} uses missing data source ${ds}`);
          used.add(ds);
        }
      }
      assert.deepEqual(
        [...dataSources].filter((ds) => !used.has(ds)),
        [],
        `${file}: unused data sources`,
      );

      const placed = Object.values(d.layout.layoutDefinitions).flatMap((l) => l.structure.map((s) => s.item));
      assert.equal(new Set(placed).size, placed.length, `${file}: an item is placed twice`);
      assert.deepEqual(
        placed.filter((i) => !(i in d.visualizations) && !(i in (d.inputs ?? {}))),
        [],
        `${file}: layout names missing items`,
      );
      assert.deepEqual(
        Object.keys(d.visualizations).filter((i) => !placed.includes(i)),
        [],
        `${file}: visualizations not in the layout`,
      );
      const globalInputs = d.layout.globalInputs ?? [];
      assert.deepEqual(
        Object.keys(d.inputs ?? {}).filter((i) => !globalInputs.includes(i) && !placed.includes(i)),
        [],
        `${file}: inputs not shown`,
      );
      for (const tab of d.layout.tabs.items) assert.ok(tab.layoutId in d.layout.layoutDefinitions, `${file}: tab ${tab.layoutId}`);
    }
  });

  it('uses only tokens its inputs define, and no two inputs share a token', () => {
    for (const [file, v] of views) {
      const inputTokens = Object.values(v.definition.inputs ?? {}).map((i) => i.options.token);
      assert.equal(new Set(inputTokens).size, inputTokens.length, `${file}: duplicate input tokens`);
      const everything = JSON.stringify({
        dataSources: v.definition.dataSources,
        visualizations: v.definition.visualizations,
        defaults: v.definition.defaults,
      });
      for (const token of tokensIn(everything)) {
        const root = token.split('.')[0] ?? '';
        assert.ok(inputTokens.includes(root) || BUILT_IN_TOKEN.test(token), `${file}: $${token}$ is not defined by an input`);
      }
      // A stray $ (say, a regex anchor) would pair with the next one and be read as a token.
      for (const [id, ds] of Object.entries(v.definition.dataSources)) {
        const query = ds.options?.query ?? '';
        assert.equal((query.match(/\$/g) ?? []).length, tokensIn(query).length * 2, `${file} ${id}: a $ outside a token`);
      }
    }
  });

  it('overview: trends by category and type, top actors, logins by outcome on a map, admin changes, exports and deletions', () => {
    const queries = Object.values(view('asana_audit_overview.xml').definition.dataSources).map((ds) => ds.options?.query ?? '');
    const has = (re: RegExp, what: string) =>
      assert.ok(
        queries.some((q) => re.test(q)),
        what,
      );
    has(/timechart .*count BY event_category/, 'trend by category');
    has(/timechart .*count BY event_type/, 'trend by type');
    has(/BY src_user/, 'top actors');
    has(/user_login_failed.*timechart count BY action/, 'logins success and failure');
    has(/iplocation src \| geostats/, 'login sources on a map');
    has(/admin_settings.*roles/, 'recent admin changes');
    has(/content_export/, 'exports');
    has(/event_category="deletion"/, 'deletions');
    const types = Object.values(view('asana_audit_overview.xml').definition.visualizations).map((x) => x.type);
    assert.ok(types.includes('splunk.map'));
  });

  it('investigation: actor, IP, resource and event type inputs narrow every search; tables drill down', () => {
    const d = view('asana_audit_investigation.xml').definition;
    const tokens = Object.values(d.inputs ?? {}).map((i) => i.options.token);
    for (const t of ['actor', 'ip', 'resource', 'event_type']) assert.ok(tokens.includes(t), `input for ${t}`);
    for (const [id, ds] of Object.entries(d.dataSources)) {
      if (id === 'ds_event_types') continue; // feeds the event type input itself
      for (const t of ['actor', 'ip', 'resource', 'event_type']) assert.ok((ds.options?.query ?? '').includes(`$${t}$`), `${id} ignores $${t}$`);
    }
    const drilldowns = Object.values(d.visualizations)
      .flatMap((x) => x.eventHandlers ?? [])
      .map((h) => h.type);
    assert.ok(drilldowns.filter((t) => t === 'drilldown.setToken').length >= 3);
    assert.ok(
      Object.values(d.visualizations).some((x) => x.type === 'splunk.column'),
      'a timeline',
    );
  });

  it("ingestion health: events per run, lag, late events, throttling, retries and errors per input from the add-on's log", () => {
    const queries = Object.values(view('asana_audit_ingestion_health.xml').definition.dataSources)
      .map((ds) => ds.options?.query ?? '')
      .join('\n');
    for (const field of ['action="events_ingested"', 'n_events', 'lag_seconds', 'late_events', 'throttled_waits', 'retries', 'log_level="ERROR"', 'BY input']) {
      assert.ok(queries.includes(field), `health dashboard does not use ${field}`);
    }
  });

  it('the navigation lists every view and only views that exist', () => {
    const nav = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readRepoFile('default/data/ui/nav/default.xml')) as {
      nav: { view: { name: string; default?: string }[] };
    };
    const names = nav.nav.view.map((v) => v.name);
    const builtIn = ['search', 'alerts', 'reports', 'dashboards'];
    const own = views.map(([f]) => f.replace(/\.xml$/, ''));
    assert.deepEqual(
      names.filter((n) => !builtIn.includes(n) && !own.includes(n)),
      [],
    );
    assert.deepEqual(
      own.filter((n) => !names.includes(n)),
      [],
    );
    assert.equal(nav.nav.view.find((v) => v.default === 'true')?.name, 'asana_audit_overview');
  });
});
