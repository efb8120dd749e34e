import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { type Checkpoint, decodeCheckpointFile, encodeCheckpointFile } from '../../src/collector/checkpoint.js';
import {
  CheckpointCorruptError,
  CheckpointLockedError,
  CheckpointStore,
  CheckpointUnwritableError,
  checkpointFileName,
} from '../../src/collector/checkpointStore.js';
import type { Logger } from '../../src/logging/logger.js';
import { silentLogger } from '../../src/logging/logger.js';

function sample(generation: number, offset: string | null = `off-${generation}`): Checkpoint {
  return {
    version: 2,
    generation,
    workspaceGid: '1200000000000001',
    filters: { event_type: 'user_login_failed' },
    cursor: { startAt: '2026-11-01T00:00:00.000Z', offset, mark: { createdAt: '2026-11-02T00:00:00.123Z', gids: ['1', '2'] } },
    windows: [],
    eventsEmitted: generation * 100,
    savedAt: '2026-11-26T00:00:00.000Z',
  };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warnings, warn: (m: string) => warnings.push(m) };
}

const isoDate = fc.date({ noInvalidDate: true, min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z') }).map((d) => d.toISOString());
const arbMark = fc.option(
  fc.record({ createdAt: isoDate, gids: fc.array(fc.string({ unit: 'binary', minLength: 1 }), { minLength: 1 }) }, { noNullPrototype: true }),
  { nil: null },
);
const arbOffset = fc.option(fc.string({ unit: 'binary', minLength: 1 }), { nil: null });

/** Any checkpoint whose contents make sense: dates are ISO-8601, windows start before they end, nothing required is empty. */
const arbCheckpoint: fc.Arbitrary<Checkpoint> = fc.record(
  {
    version: fc.constant(2 as const),
    generation: fc.nat(),
    workspaceGid: fc.stringMatching(/^\d{1,16}$/),
    filters: fc.record(
      {
        event_type: fc.string({ minLength: 1 }),
        actor_type: fc.string({ minLength: 1 }),
        actor_gid: fc.string({ minLength: 1 }),
        resource_gid: fc.string({ minLength: 1 }),
      },
      { requiredKeys: [], noNullPrototype: true },
    ),
    cursor: fc.record({ startAt: isoDate, endAt: isoDate, offset: arbOffset, mark: arbMark }, { requiredKeys: ['offset', 'mark'], noNullPrototype: true }),
    windows: fc.array(
      fc
        .record({ startAt: fc.option(isoDate, { nil: undefined }), endAt: isoDate, offset: arbOffset, mark: arbMark }, { noNullPrototype: true })
        .map(({ startAt, endAt, ...rest }) => {
          if (startAt === undefined) return { endAt, ...rest };
          const [a, b] = [startAt, endAt].sort();
          return { startAt: a as string, endAt: a === b ? new Date(Date.parse(b as string) + 1).toISOString() : (b as string), ...rest };
        }),
      { maxLength: 4 },
    ),
    eventsEmitted: fc.nat(),
    savedAt: isoDate,
  },
  { noNullPrototype: true },
);

describe('checkpoint encoding', () => {
  it('round-trips any checkpoint (property)', () => {
    fc.assert(
      fc.property(fc.array(arbCheckpoint, { minLength: 1, maxLength: 2 }), (gens) => {
        const decoded = decodeCheckpointFile(encodeCheckpointFile(gens));
        assert.equal(decoded.damaged, 0);
        assert.deepEqual(decoded.generations, gens);
      }),
    );
  });

  it('keeps the last complete generation whatever length the file is cut to', () => {
    const text = encodeCheckpointFile([sample(6), sample(7)]);
    const firstLineEnd = text.indexOf('\n') + 1;
    for (let len = 0; len <= text.length; len++) {
      const { generations } = decodeCheckpointFile(text.slice(0, len));
      const expected = len === text.length ? 7 : len >= firstLineEnd ? 6 : undefined;
      assert.equal(generations.at(-1)?.generation, expected, `cut at ${len}`);
    }
  });

  it('reads a version 1 file as version 2 with no backfill windows', () => {
    // Written by the version 1 encoder: the checksum covers the version 1 bytes.
    const v1 = {
      version: 1,
      generation: 4,
      workspaceGid: '1200000000000001',
      filters: {},
      cursor: { startAt: '2026-11-01T00:00:00.000Z', offset: 'off-4', mark: { createdAt: '2026-11-02T00:00:00.123Z', gids: ['7'] } },
      eventsEmitted: 400,
      savedAt: '2026-11-26T00:00:00.000Z',
    };
    const json = JSON.stringify(v1);
    const sum = createHash('sha256').update(json).digest('hex').slice(0, 32);
    const { generations, damaged } = decodeCheckpointFile(`{"sum":"${sum}","checkpoint":${json}}\n`);
    assert.equal(damaged, 0);
    assert.deepEqual(generations, [{ ...v1, version: 2, windows: [] }]);
    const tampered = decodeCheckpointFile(`{"sum":"${sum}","checkpoint":${json.replace('off-4', 'off-5')}}\n`);
    assert.deepEqual(tampered.generations, []);
  });

  it('takes a generation with a valid checksum but nonsense contents as damaged, and says which field', () => {
    for (const [field, bad] of [
      ['cursor.startAt', { ...sample(2), cursor: { ...sample(2).cursor, startAt: 'garbage' } }],
      ['cursor.mark.createdAt', { ...sample(2), cursor: { ...sample(2).cursor, mark: { createdAt: '2026-13-45', gids: ['1'] } } }],
      ['cursor.offset', { ...sample(2), cursor: { ...sample(2).cursor, offset: '' } }],
      ['windows.0.endAt', { ...sample(2), windows: [{ startAt: '2026-11-02T00:00:00.000Z', endAt: '2026-11-01T00:00:00.000Z', offset: null, mark: null }] }],
      ['savedAt', { ...sample(2), savedAt: 'yesterday' }],
    ] as const) {
      const json = JSON.stringify(bad);
      const sum = createHash('sha256').update(json).digest('hex').slice(0, 32);
      const decoded = decodeCheckpointFile(`{"sum":"${sum}","checkpoint":${json}}\n`);
      assert.deepEqual(decoded.generations, [], field);
      assert.match(decoded.problems[0] ?? '', new RegExp(`valid checksum but invalid contents \\(${field.replace(/\./g, '\\.')}: `), field);
    }
  });

  it('rejects a generation whose bytes were altered', () => {
    const text = encodeCheckpointFile([sample(3)]).replace('off-3', 'off-4');
    assert.deepEqual(decodeCheckpointFile(text).generations, []);
  });
});

describe('CheckpointStore', () => {
  it('saves atomically and loads the newest generation', () => {
    const dir = tempDir();
    const store = new CheckpointStore({ file: path.join(dir, 'acme.checkpoint'), logger: silentLogger });
    assert.equal(store.load(), undefined);
    store.save(sample(1));
    store.save(sample(2));
    assert.equal(new CheckpointStore({ file: path.join(dir, 'acme.checkpoint'), logger: silentLogger }).load()?.generation, 2);
    assert.deepEqual(fs.readdirSync(dir), ['acme.checkpoint'], 'no temp file is left behind');
    assert.equal(fs.statSync(store.file).mode & 0o077, 0, 'readable by the owner only');
  });

  it('resets the temp files of saves cut short, under the fixed name of earlier versions and the unpredictable ones, and leaves a directory of that name', () => {
    const dir = tempDir();
    const store = new CheckpointStore({ file: path.join(dir, 'acme.checkpoint'), logger: silentLogger });
    store.save(sample(1));
    const fixed = `${store.file}.tmp`;
    const random = `${store.file}.0123456789abcdef01234567.tmp`;
    fs.writeFileSync(fixed, '{"sum":');
    fs.writeFileSync(random, 'cut');
    fs.mkdirSync(`${store.file}.89abcdef0123456789abcdef.tmp`);
    assert.deepEqual(store.reset().sort(), [store.file, random, fixed].sort());
    assert.deepEqual(fs.readdirSync(dir), ['acme.checkpoint.89abcdef0123456789abcdef.tmp']);
  });

  it("reads an earlier version's file where it is without the lock, moves it under the lock, and a reset deletes it there", () => {
    const dir = tempDir();
    const legacyFile = path.join(dir, 'team_a-65f838a2fbff.checkpoint');
    fs.writeFileSync(legacyFile, encodeCheckpointFile([sample(4)]));
    const file = path.join(dir, 'team%2Fa.checkpoint');
    assert.equal(new CheckpointStore({ file, legacyFile, logger: silentLogger }).load()?.generation, 4, 'show reads it in place');
    assert.ok(fs.existsSync(legacyFile), 'nothing moved without the lock');
    const store = new CheckpointStore({ file, legacyFile, logger: silentLogger });
    store.lock();
    try {
      assert.equal(fs.existsSync(legacyFile), false);
      assert.equal(store.load()?.generation, 4);
      assert.deepEqual(store.reset(), [file]);
    } finally {
      store.unlock();
    }
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it("leaves an earlier version's file alone once the input has its own", () => {
    const dir = tempDir();
    const legacyFile = path.join(dir, 'team_a-65f838a2fbff.checkpoint');
    const file = path.join(dir, 'team%2Fa.checkpoint');
    fs.writeFileSync(legacyFile, encodeCheckpointFile([sample(4)]));
    fs.writeFileSync(file, encodeCheckpointFile([sample(9)]));
    const store = new CheckpointStore({ file, legacyFile, logger: silentLogger });
    store.lock();
    try {
      assert.equal(store.load()?.generation, 9);
      store.reset();
    } finally {
      store.unlock();
    }
    assert.deepEqual(fs.readdirSync(dir), ['team_a-65f838a2fbff.checkpoint'], 'another input of that plain name may own it');
  });

  it('falls back to the previous generation with a WARN when the newest is damaged', () => {
    const dir = tempDir();
    const store = new CheckpointStore({ file: path.join(dir, 'acme.checkpoint'), logger: silentLogger });
    store.save(sample(1));
    store.save(sample(2));
    const text = fs.readFileSync(store.file, 'utf8');
    fs.writeFileSync(store.file, text.slice(0, text.length - 10));
    const logger = recordingLogger();
    assert.equal(new CheckpointStore({ file: path.join(dir, 'acme.checkpoint'), logger }).load()?.generation, 1);
    assert.match(logger.warnings.join('\n'), /damaged \(.*\): resuming from generation 1/);
  });

  it('refuses to start over when no generation survives, naming the file and the reset command', () => {
    const dir = tempDir();
    const store = new CheckpointStore({ file: path.join(dir, 'acme.checkpoint'), logger: silentLogger });
    fs.writeFileSync(store.file, '{"sum":"x","checkpoint":{"garbage":true}}\n');
    assert.throws(
      () => store.load(),
      (e: unknown) => {
        assert.ok(e instanceof CheckpointCorruptError);
        assert.match(e.message, new RegExp(store.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        assert.match(e.message, /checkpoint reset/);
        return true;
      },
    );
  });

  it('fails before anything is fetched when the directory cannot be written', () => {
    const dir = tempDir();
    const file = path.join(dir, 'not-a-dir');
    fs.writeFileSync(file, '');
    const store = new CheckpointStore({ file: path.join(file, 'acme.checkpoint'), logger: silentLogger });
    assert.throws(() => store.ensureWritable(), CheckpointUnwritableError);
  });

  it('lets only one process hold an input and takes over a lock left by a dead one', () => {
    const dir = tempDir();
    const a = new CheckpointStore({ file: path.join(dir, 'acme.checkpoint'), logger: silentLogger });
    fs.writeFileSync(a.lockFile, String(process.ppid)); // a live process that is not us
    assert.throws(() => a.lock(), CheckpointLockedError);
    fs.writeFileSync(a.lockFile, '999999999'); // no such process
    a.lock();
    assert.equal(fs.readFileSync(a.lockFile, 'utf8').split(' ')[0], String(process.pid));
    a.unlock();
    assert.equal(fs.existsSync(a.lockFile), false);
  });

  it('does not write through a symlink planted at the old probe name .probe-<pid>', () => {
    const dir = tempDir();
    const victim = path.join(tempDir(), 'victim.txt');
    fs.writeFileSync(victim, 'precious');
    fs.symlinkSync(victim, path.join(dir, `.probe-${process.pid}`));
    new CheckpointStore({ file: path.join(dir, 'acme.checkpoint'), logger: silentLogger }).ensureWritable();
    assert.equal(fs.readFileSync(victim, 'utf8'), 'precious');
  });

  it('names checkpoint files safely and uniquely', () => {
    assert.equal(checkpointFileName('acme'), 'acme.checkpoint');
    const odd = checkpointFileName('../etc/passwd');
    assert.ok(!odd.includes('/') && !odd.startsWith('.'));
    assert.notEqual(checkpointFileName('a/b'), checkpointFileName('a_b'));
    assert.notEqual(checkpointFileName('team/a'), checkpointFileName('team_a-65f838a2fbff'));
  });
});
