import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EVENT_CATEGORIES, EVENT_TYPES, eventTypeInfo } from '../../src/mock/eventTypes.js';

describe('mock event types', () => {
  it('lists exactly the event types of the reference TSV, in its order, with its sections as categories', () => {
    const tsv = readFileSync(resolve(process.cwd(), 'test/fixtures/asana-event-types.tsv'), 'utf8');
    const rows = tsv
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line) => line.split('\t'));
    assert.deepEqual(
      EVENT_TYPES.map((t) => t.eventType),
      rows.map((r) => r[1]),
    );
    for (const [section, eventType, resourceType] of rows) {
      const info = eventTypeInfo(eventType as string);
      assert.ok(info);
      assert.equal(
        info.category,
        (section as string)
          .replace(/\s*\(.*\)$/, '')
          .toLowerCase()
          .replace(/ /g, '_'),
      );
      if (resourceType?.trim()) assert.equal(info.resourceType, resourceType.trim().toLowerCase().replace(/ /g, '_'));
    }
  });

  it('uses only the categories seen on the wire', () => {
    for (const t of EVENT_TYPES) assert.ok((EVENT_CATEGORIES as readonly string[]).includes(t.category), t.eventType);
  });
});
