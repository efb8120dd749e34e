import assert from 'node:assert/strict';
import { auditLogEventSchema, ACTOR_TYPES } from '../../src/model/auditLog.js';
import { EventFactory, TRICKY_NAMES, type MockEvent } from '../../src/mock/eventFactory.js';
import { eventTypeInfo } from '../../src/mock/eventTypes.js';

const T = Date.parse('2025-01-01T00:00:00.000Z');
const make = (n: number, seed = 3): MockEvent[] => {
  const factory = new EventFactory({ seed, workspaceGid: '1200000000000001' });
  return Array.from({ length: n }, (_, i) => factory.make(T + i * 37));
};

describe('mock event factory', () => {
  const events = make(3000);

  it('is deterministic from its seed', () => {
    assert.deepEqual(make(200), make(200));
    assert.notDeepEqual(make(200, 4), make(200));
  });

  it('makes events the collector accepts, with unique numeric gids and millisecond UTC times', () => {
    assert.equal(new Set(events.map((e) => e.gid)).size, events.length);
    for (const e of events) {
      auditLogEventSchema.parse(e);
      assert.match(e.gid, /^\d+$/);
      assert.match(e.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
  });

  it('keeps each event consistent with the documented type, actor and context rules', () => {
    for (const e of events) {
      const info = eventTypeInfo(e.event_type);
      assert.ok(info, e.event_type);
      assert.equal(e.event_category, info.category);
      assert.equal(e.resource.resource_type, info.resourceType);
      assert.ok((ACTOR_TYPES as readonly string[]).includes(e.actor.actor_type));
      if (e.actor.actor_type === 'user') assert.ok(e.actor.gid && e.actor.name && e.actor.email);
      else assert.equal(e.actor.gid, undefined);
      assert.equal(e.context.api_authentication_method !== undefined, e.context.context_type === 'api');
      if (e.context.client_ip_address) assert.match(e.context.client_ip_address, /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$/);
      if (e.context.oauth_app_name) assert.equal(e.context.api_authentication_method, 'oauth');
      if (e.event_category === 'logins') assert.ok(Array.isArray(e.details.method));
    }
  });

  it('covers every actor type and every context type', () => {
    assert.deepEqual(new Set(events.map((e) => e.actor.actor_type)), new Set(ACTOR_TYPES));
    assert.deepEqual(new Set(events.map((e) => e.context.context_type)), new Set(['web', 'desktop', 'mobile', 'api', 'email', 'asana', 'asana_support']));
  });

  it('puts XML- and JSON-special names into events, CDATA terminator and control characters included', () => {
    const text = JSON.stringify(events);
    const decoded = events.flatMap((e) => [e.resource.name, e.actor.name, e.details.new_value]);
    for (const name of TRICKY_NAMES) assert.ok(decoded.includes(name), `missing ${JSON.stringify(name)}`);
    assert.ok(text.includes(']]>') && text.includes('\\u0007') && text.includes('🚀'));
  });
});
