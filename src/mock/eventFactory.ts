import type { ActorType } from '../model/auditLog.js';
import { EVENT_TYPES, type EventCategory, type EventTypeInfo } from './eventTypes.js';
import { SeededRandom } from './random.js';

/** The full event shape the mock produces (the collector itself only relies on `auditLogEventSchema`). */
export interface MockEvent {
  gid: string;
  created_at: string;
  event_type: string;
  event_category: string;
  actor: { actor_type: ActorType; gid?: string; name?: string; email?: string };
  resource: { resource_type: string; resource_subtype?: string; gid: string; name: string | null; email?: string };
  details: Record<string, unknown>;
  context: {
    context_type: string;
    api_authentication_method?: string;
    client_ip_address?: string;
    user_agent?: string;
    oauth_app_name?: string;
    rule_name?: string;
    on_behalf_of_user_id?: number;
  };
}

/**
 * Names that are special in XML or JSON (markup, entities, a CDATA terminator, quotes, astral-plane
 * emoji, control characters), so every consumer of mock events gets to prove its escaping.
 */
export const TRICKY_NAMES: readonly string[] = [
  'Q3 plan <draft> & "final" \'v2\'',
  'Release notes ]]> after CDATA',
  'Launch 🚀 checklist 👩🏽‍💻',
  'Bell\u0007 and escape\u001b characters',
  'Tab\there, newline\nthere',
  '&amp; already escaped &lt;tag&gt;',
  '<script>alert(1)</script>',
  'Backslash \\ and slash / and unicode 日本語 Ünïcödé',
];

const FIRST_NAMES = [
  'Ada',
  'Bram',
  'Chioma',
  'Dmitri',
  'Elif',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemi',
  'Luca',
  'Mei',
  'Nils',
  'Olga',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tariq',
  'Uma',
  'Viktor',
  'Wen',
  'Yara',
];
const LAST_NAMES = [
  'Okafor',
  'Lindqvist',
  'Moreau',
  'Tanaka',
  'Kowalski',
  'Haddad',
  'Fischer',
  'Novak',
  'Santos',
  'Byrne',
  'Rao',
  'Petrov',
  'Adeyemi',
  'Costa',
];
/** Users whose display names need escaping; they appear alongside ordinary users. */
const TRICKY_USERS = ["Zoë O'Brien <Admin>", 'Renée "RJ" Jäger & Co', 'Ōta 🌸 Hanako'];

const RESOURCE_NOUNS: Record<string, readonly string[]> = {
  task: ['Review contract', 'Update onboarding doc', 'Fix login redirect', 'Prepare board deck', 'Renew SSL certificate'],
  project: ['Website relaunch', 'Q4 roadmap', 'Security review', 'Hiring pipeline', 'Vendor audit'],
  portfolio: ['Engineering initiatives', 'Marketing 2025', 'Compliance programs'],
  team: ['Platform', 'Design', 'Finance', 'People Ops', 'Security'],
  goal: ['Reduce churn to 3%', 'Ship mobile v2', 'SOC 2 Type II'],
  attachment: ['invoice-0042.pdf', 'architecture.png', 'customers.csv', 'notes.docx'],
  custom_field: ['Priority', 'Cost center', 'Risk level'],
  message: ['All-hands recap', 'Office move', 'Holiday schedule'],
  story: ['Comment on design review', 'Comment on release plan'],
  status_update: ['Weekly status', 'Launch readiness'],
  task_template: ['Bug report', 'Access request'],
  project_template: ['Product launch', 'Quarterly planning'],
  search: ['Overdue tasks report', 'Tasks assigned to contractors'],
  division: ['EMEA', 'North America', 'APAC'],
};

const RESOURCE_SUBTYPES: Record<string, readonly string[]> = {
  task: ['default_task', 'milestone', 'approval'],
  story: ['comment_added'],
  status_update: ['project_status_update', 'portfolio_status_update'],
  custom_field: ['text', 'enum', 'number'],
};

/** IPv4 ranges reserved for documentation (RFC 5737), so mock data never names a real host. */
const IP_PREFIXES = ['192.0.2.', '198.51.100.', '203.0.113.'];
const BROWSER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.207 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
];
const DESKTOP_AGENTS = ['Asana/2.3.0 (Macintosh; Electron)', 'Asana/2.3.0 (Windows; Electron)'];
const MOBILE_AGENTS = ['Asana/8.12.1 (iPhone; iOS 17.4)', 'Asana/8.12.0 (Android 14; Pixel 8)'];
const API_AGENTS = ['python-asana/5.0.7', 'node-asana/3.0.6', 'curl/8.5.0'];
const OAUTH_APPS = ['Slack', 'Google Drive', 'Zapier', 'Salesforce'];
const ROLES = ['member', 'admin', 'super_admin', 'billing_owner'];

interface User {
  gid: string;
  name: string;
  email: string;
}
interface Resource {
  gid: string;
  name: string;
  subtype?: string;
}

export interface EventFactoryOptions {
  seed?: number;
  workspaceGid: string;
  workspaceName?: string;
}

const GID_BASE = 1_209_000_000_000_000;
const USERS = 60;
const RESOURCES_PER_TYPE = 40;

/**
 * Makes realistic audit log events. Everything but `created_at` follows from the seed and the
 * number of events made so far, so two factories with one seed produce the same stream.
 */
export class EventFactory {
  private readonly rng: SeededRandom;
  private readonly users: User[];
  private readonly resources = new Map<string, Resource[]>();
  private readonly workspaceGid: string;
  private readonly workspaceName: string;
  private made = 0;

  constructor(options: EventFactoryOptions) {
    this.rng = new SeededRandom(options.seed ?? 1);
    this.workspaceGid = options.workspaceGid;
    this.workspaceName = options.workspaceName ?? 'Example Corp';
    this.users = this.makeUsers();
  }

  /** How many events this factory has made (also what the next gid is derived from). */
  get count(): number {
    return this.made;
  }

  make(createdAtMs: number): MockEvent {
    const rng = this.rng;
    const type = rng.pick(EVENT_TYPES);
    const actor = this.actorFor(type);
    const resource = this.resourceFor(type, actor);
    const event: MockEvent = {
      gid: String(GID_BASE + this.made * 3 + 1),
      created_at: new Date(createdAtMs).toISOString(),
      event_type: type.eventType,
      event_category: type.category,
      actor: actor.actor,
      resource,
      details: this.detailsFor(type),
      context: this.contextFor(type, actor.actor.actor_type),
    };
    this.made++;
    return event;
  }

  private makeUsers(): User[] {
    const users: User[] = [];
    for (let i = 0; i < USERS; i++) {
      const tricky = i < TRICKY_USERS.length ? TRICKY_USERS[i] : undefined;
      const first = this.rng.pick(FIRST_NAMES);
      const last = this.rng.pick(LAST_NAMES);
      const name = tricky ?? `${first} ${last}`;
      users.push({
        gid: String(1_201_000_000_000_000 + i * 7919),
        name,
        email: `${first}.${last}${i}@example.com`.toLowerCase(),
      });
    }
    return users;
  }

  private pool(resourceType: string): Resource[] {
    let pool = this.resources.get(resourceType);
    if (!pool) {
      const nouns = RESOURCE_NOUNS[resourceType] ?? [resourceType];
      const subtypes = RESOURCE_SUBTYPES[resourceType];
      const typeSalt = [...resourceType].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 9973, 7);
      pool = [];
      for (let i = 0; i < RESOURCES_PER_TYPE; i++) {
        const name = i % 10 === 3 ? (TRICKY_NAMES[(i + typeSalt) % TRICKY_NAMES.length] as string) : `${this.rng.pick(nouns)} #${i + 1}`;
        const resource: Resource = { gid: String(1_205_000_000_000_000 + typeSalt * 100_000 + i * 13), name };
        if (subtypes) resource.subtype = this.rng.pick(subtypes);
        pool.push(resource);
      }
      this.resources.set(resourceType, pool);
    }
    return pool;
  }

  private actorFor(type: EventTypeInfo): { actor: MockEvent['actor']; user?: User } {
    const weights = ACTOR_WEIGHTS[type.category];
    const actorType =
      type.eventType === 'task_permanently_deleted' || type.eventType.startsWith('domain_user_billing')
        ? 'asana'
        : // Only a failed login can come from someone Asana could not identify.
          type.eventType === 'user_login_failed' && this.rng.chance(0.4)
          ? 'anonymous'
          : this.rng.weighted(weights);
    if (actorType !== 'user') return { actor: { actor_type: actorType } };
    const user = this.rng.pick(this.users);
    return { actor: { actor_type: 'user', gid: user.gid, name: user.name, email: user.email }, user };
  }

  private resourceFor(type: EventTypeInfo, actor: { user?: User }): MockEvent['resource'] {
    const rt = type.resourceType;
    if (rt === 'workspace') return { resource_type: 'workspace', gid: this.workspaceGid, name: this.workspaceName };
    if (rt === 'user') {
      const subject = type.category === 'logins' && actor.user ? actor.user : this.rng.pick(this.users);
      const subtype = type.eventType.startsWith('service_account') ? 'service_account' : undefined;
      return {
        resource_type: 'user',
        ...(subtype ? { resource_subtype: subtype } : {}),
        gid: subject.gid,
        name: subject.name,
        email: subject.email,
      };
    }
    const r = this.rng.pick(this.pool(rt));
    // Permanently deleted objects have lost their name.
    const name = type.eventType.endsWith('permanently_deleted') ? null : r.name;
    return { resource_type: rt, ...(r.subtype ? { resource_subtype: r.subtype } : {}), gid: r.gid, name };
  }

  private detailsFor(type: EventTypeInfo): Record<string, unknown> {
    const rng = this.rng;
    const t = type.eventType;
    if (type.category === 'logins') {
      const method = rng.weighted([
        ['SAML', 5],
        ['password', 3],
        ['google', 2],
      ] as const);
      const details: Record<string, unknown> = { method: [method] };
      if (method === 'SAML' && t !== 'user_logged_out') {
        details.saml_response =
          t === 'user_login_failed'
            ? '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"/></samlp:Status></samlp:Response>'
            : null;
      }
      return details;
    }
    if (type.category === 'roles') {
      const old = rng.pick(ROLES);
      const details: Record<string, unknown> = { old_value: old, new_value: rng.pick(ROLES.filter((r) => r !== old)) };
      if (t === 'user_division_admin_role_changed') {
        const division = rng.pick(this.pool('division'));
        details.group = { gid: division.gid, name: division.name, resource_type: 'division' };
      }
      return details;
    }
    if (t.endsWith('_enabled') || t.endsWith('_disabled')) {
      const on = t.endsWith('_enabled');
      return { old_value: String(!on), new_value: String(on) };
    }
    if (t.endsWith('_changed')) {
      if (t.includes('email')) return { old_value: 'security@example.com', new_value: 'secops@example.com' };
      if (t.includes('duration')) return { old_value: '30 days', new_value: rng.pick(['12 hours', '7 days', '14 days']) };
      if (t.includes('url')) return { old_value: 'https://idp.example.com/sso', new_value: 'https://idp.example.com/saml2' };
      if (t.includes('privacy')) return { old_value: 'public', new_value: rng.pick(['private', 'members_only']) };
      if (t.includes('name')) return { old_value: 'ci-bot', new_value: rng.pick(TRICKY_NAMES) };
      return { old_value: 'before', new_value: 'after' };
    }
    if (t === 'user_app_authorized' || t === 'user_app_revoked') return { app_name: rng.pick(OAUTH_APPS) };
    if (t.endsWith('_member_added') || t.endsWith('_member_removed')) {
      const member = rng.pick(this.users);
      return { user: { gid: member.gid, name: member.name, email: member.email } };
    }
    return {};
  }

  private contextFor(type: EventTypeInfo, actorType: ActorType): MockEvent['context'] {
    const rng = this.rng;
    if (actorType === 'asana') return { context_type: 'asana' };
    if (actorType === 'asana_support') {
      return { context_type: 'asana_support', on_behalf_of_user_id: Number(rng.pick(this.users).gid) };
    }
    const ip = `${rng.pick(IP_PREFIXES)}${1 + rng.int(254)}`;
    const contextType =
      type.category === 'logins'
        ? rng.weighted([
            ['web', 6],
            ['desktop', 2],
            ['mobile', 2],
          ] as const)
        : actorType === 'external_administrator'
          ? 'api'
          : rng.weighted([
              ['web', 55],
              ['desktop', 12],
              ['mobile', 10],
              ['api', 18],
              ['email', 5],
            ] as const);
    switch (contextType) {
      case 'web':
        return { context_type: 'web', client_ip_address: ip, user_agent: rng.pick(BROWSER_AGENTS) };
      case 'desktop':
        return { context_type: 'desktop', client_ip_address: ip, user_agent: rng.pick(DESKTOP_AGENTS) };
      case 'mobile':
        return { context_type: 'mobile', client_ip_address: ip, user_agent: rng.pick(MOBILE_AGENTS) };
      case 'email':
        return { context_type: 'email' };
      case 'api': {
        const method = rng.weighted([
          ['service_account', 4],
          ['personal_access_token', 3],
          ['oauth', 3],
          ['cookie', 1],
        ] as const);
        const context: MockEvent['context'] = {
          context_type: 'api',
          api_authentication_method: method,
          client_ip_address: ip,
          user_agent: rng.pick(API_AGENTS),
        };
        if (method === 'oauth') context.oauth_app_name = rng.pick(OAUTH_APPS);
        return context;
      }
    }
  }
}

const ACTOR_WEIGHTS: Record<EventCategory, readonly (readonly [ActorType, number])[]> = {
  logins: [['user', 1]],
  user_updates: [
    ['user', 8],
    ['external_administrator', 1],
    ['asana_support', 1],
  ],
  admin_settings: [
    ['user', 18],
    ['asana_support', 1],
    ['external_administrator', 1],
  ],
  roles: [
    ['user', 9],
    ['external_administrator', 1],
  ],
  content_export: [['user', 1]],
  access_control: [
    ['user', 19],
    ['asana', 1],
  ],
  apps: [['user', 1]],
  creation: [['user', 1]],
  deletion: [
    ['user', 15],
    ['asana', 1],
  ],
};
