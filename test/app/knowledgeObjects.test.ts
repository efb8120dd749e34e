import { strict as assert } from 'node:assert';
import { confValue } from '../../tools/confFile.js';
import { documentedEventTypes, readDefaultConf, readRepoFile, viewFiles, VIEWS_DIR } from './appFiles.js';
import { valuesOf, wildcardToRegExp } from './splTerms.js';
import { parseStudioView } from './studioDashboard.js';
import { join } from 'node:path';

const SOURCETYPE = 'asana:audit';

/** Every SPL text the app ships, named by where it lives. */
function allSearches(): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, settings] of readDefaultConf('eventtypes').stanzas) out.push([`eventtypes.conf [${name}]`, settings.get('search') ?? '']);
  for (const [name, settings] of readDefaultConf('savedsearches').stanzas) out.push([`savedsearches.conf [${name}]`, settings.get('search') ?? '']);
  for (const [name, settings] of readDefaultConf('props').stanzas) {
    for (const [key, value] of settings) if (key.startsWith('EVAL-')) out.push([`props.conf [${name}] ${key}`, value]);
  }
  for (const file of viewFiles()) {
    const view = parseStudioView(readRepoFile(join(VIEWS_DIR, file)));
    for (const [id, ds] of Object.entries(view.definition.dataSources)) out.push([`${file} ${id}`, ds.options?.query ?? '']);
  }
  return out;
}

describe('knowledge objects: event types and categories', () => {
  const documented = documentedEventTypes();

  it('reads a sensible documentation list (guards the check below against an empty list)', () => {
    assert.ok(documented.types.size > 90, `only ${documented.types.size} documented event types`);
    assert.ok(documented.types.has('user_login_failed'));
    assert.ok(documented.categories.has('content_export') && documented.categories.has('admin_settings'));
  });

  it('names only event types Asana documents, and every wildcard matches one', () => {
    let seen = 0;
    for (const [where, spl] of allSearches()) {
      const { exact, patterns } = valuesOf('event_type', spl);
      seen += exact.length;
      for (const type of exact) assert.ok(documented.types.has(type), `${where}: ${type} is not a documented event type`);
      for (const pattern of patterns) {
        const re = wildcardToRegExp(pattern);
        assert.ok(
          [...documented.types].some((t) => re.test(t)),
          `${where}: ${pattern} matches no documented event type`,
        );
      }
    }
    assert.ok(seen > 40, `expected the app to name many event types, found ${seen}`);
  });

  it('names only documented event categories', () => {
    for (const [where, spl] of allSearches()) {
      for (const category of valuesOf('event_category', spl).exact) {
        assert.ok(documented.categories.has(category), `${where}: ${category} is not a documented category`);
      }
    }
  });
});

describe('knowledge objects: event types and tags for the CIM', () => {
  const eventtypes = readDefaultConf('eventtypes');
  const tags = readDefaultConf('tags');
  const tagsOf = (eventtype: string) =>
    [...(tags.stanzas.get(`eventtype=${eventtype}`) ?? new Map<string, string>())]
      .filter(([, v]) => v === 'enabled')
      .map(([k]) => k)
      .sort();
  /** The event types whose search selects an Asana event of this type and category. */
  const eventtypesMatching = (type: string, category: string) =>
    [...eventtypes.stanzas]
      .filter(([, s]) => {
        const search = s.get('search') ?? '';
        return valuesOf('event_type', search).exact.includes(type) || valuesOf('event_category', search).exact.includes(category);
      })
      .map(([name]) => name);
  const tagsFor = (type: string, category: string) => new Set(eventtypesMatching(type, category).flatMap(tagsOf));

  it('every event type searches the asana:audit sourcetype and has a description; every tag stanza names one of them', () => {
    for (const [name, s] of eventtypes.stanzas) {
      assert.ok((s.get('search') ?? '').includes(`sourcetype="${SOURCETYPE}"`), name);
      assert.ok(s.get('description'), `${name} needs a description`);
      assert.doesNotMatch(s.get('search') ?? '', /\|/, `${name}: event type searches cannot have pipes`);
    }
    for (const stanza of tags.stanzas.keys()) {
      const name = stanza.replace(/^eventtype=/, '');
      assert.ok(eventtypes.stanzas.has(name), `tags.conf [${stanza}] names no event type`);
    }
  });

  it('tags logins authentication, changes change, user lifecycle account, and exports data access', () => {
    assert.ok(tagsFor('user_login_succeeded', 'logins').has('authentication'));
    assert.ok(tagsFor('user_login_failed', 'logins').has('authentication'));
    for (const [type, category] of [
      ['workspace_saml_settings_changed', 'admin_settings'],
      ['user_workspace_admin_role_changed', 'roles'],
      ['team_member_added', 'access_control'],
      ['user_app_authorized', 'apps'],
      ['user_password_changed', 'user_updates'],
      ['task_deleted', 'deletion'],
    ] as const) {
      assert.ok(tagsFor(type, category).has('change'), `${type} should be tagged change`);
    }
    for (const type of ['user_invited', 'user_deprovisioned', 'user_reprovisioned']) {
      const t = tagsFor(type, 'user_updates');
      assert.ok(t.has('account') && t.has('change'), `${type} should be tagged change and account`);
    }
    const exportTags = tagsFor('workspace_export_started', 'content_export');
    assert.ok(exportTags.has('data') && exportTags.has('access'));
    assert.equal(tagsFor('user_login_failed', 'logins').has('change'), false, 'logins are not changes');
  });
});

describe('knowledge objects: props.conf for asana:audit', () => {
  const props = readDefaultConf('props');
  const st = props.stanzas.get(SOURCETYPE) ?? new Map<string, string>();

  it('extracts JSON at search time, one event per line, with a generous TRUNCATE', () => {
    assert.equal(st.get('KV_MODE'), 'json');
    assert.equal(st.get('SHOULD_LINEMERGE'), 'false');
    assert.equal(st.has('INDEXED_EXTRACTIONS'), false, 'never together with KV_MODE = json');
    assert.ok(Number(st.get('TRUNCATE')) >= 100_000, 'SAML responses make login events large');
  });

  it('takes _time from created_at, so NDJSON re-ingested from poll gets the right time', () => {
    const sample = '{"gid":"1","created_at":"2024-10-18T04:42:40.072Z","event_type":"user_login_failed"}';
    const prefix = new RegExp(st.get('TIME_PREFIX') ?? '(?!)');
    const m = prefix.exec(sample);
    assert.ok(m, 'TIME_PREFIX finds created_at');
    assert.ok(sample.slice(m.index + m[0].length).startsWith('2024-10-18T04:42:40.072Z'));
    assert.equal(st.get('TIME_FORMAT'), '%Y-%m-%dT%H:%M:%S.%3N%Z');
    assert.ok(Number(st.get('MAX_TIMESTAMP_LOOKAHEAD')) >= '2024-10-18T04:42:40.072Z'.length);
  });

  it('defines every CIM field the issue lists, through FIELDALIAS- or EVAL-', () => {
    const defined = new Set<string>();
    for (const [key, value] of st) {
      if (key.startsWith('EVAL-')) defined.add(key.slice(5));
      if (key.startsWith('FIELDALIAS-')) for (const m of value.matchAll(/\bAS(?:NEW)?\s+"?([\w.]+)"?/gi)) defined.add(m[1] ?? '');
    }
    const cim = [
      'app',
      'vendor_product',
      'user',
      'src_user',
      'src',
      'http_user_agent',
      'action',
      'object',
      'object_id',
      'object_category',
      'object_attrs',
      'change_type',
      'status',
      'signature',
      'dest',
    ];
    assert.deepEqual(
      cim.filter((f) => !defined.has(f)),
      [],
    );
  });

  it('gives logins the Authentication actions and deletions and undeletions different Change actions', () => {
    const action = st.get('EVAL-action') ?? '';
    assert.match(action, /event_type=="user_login_succeeded", "success"/);
    assert.match(action, /event_type=="user_login_failed", "failure"/);
    assert.ok(action.indexOf('_undeleted$') < action.indexOf('_deleted|'), 'undeleted is tested before deleted');
  });

  it('defines the macros every search starts from', () => {
    const macros = readDefaultConf('macros');
    assert.ok(confValue(macros, 'asana_audit_index', 'definition'));
    assert.equal(confValue(macros, 'asana_audit', 'definition'), '`asana_audit_index` sourcetype="asana:audit"');
    assert.match(confValue(macros, 'asana_audit_ta_log', 'definition') ?? '', /index=_internal source="\*ta_asana_audit_log\.log\*"/);
  });
});
