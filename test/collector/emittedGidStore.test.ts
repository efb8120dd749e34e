import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointUnwritableError } from '../../src/collector/checkpointStore.js';
import { EmittedGidStore, NotAnEmittedLogError } from '../../src/collector/emittedGidStore.js';
import type { Logger } from '../../src/logging/logger.js';
import { silentLogger } from '../../src/logging/logger.js';
import { NotRegularFileError } from '../../src/collector/safeFiles.js';
import { execFileSync } from 'node:child_process';

/** The records of the log, none when there is no log. */
const records = (store: EmittedGidStore) => store.load()?.records ?? [];

describe('EmittedGidStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emitted-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives back every appended record in order, and nothing after clear', () => {
    const store = new EmittedGidStore({ file: path.join(dir, 'x.checkpoint.emitted'), logger: silentLogger });
    assert.equal(store.load(), undefined, 'no log yet');
    store.append({ '1763640000000': ['1', '2'] });
    store.append({});
    store.append({ '1763640060000': ['3'] });
    assert.deepEqual(records(new EmittedGidStore({ file: store.file, logger: silentLogger })), [{ '1763640000000': ['1', '2'] }, { '1763640060000': ['3'] }]);
    store.rewrite([{ '1763640060000': ['3'] }]);
    assert.deepEqual(records(store), [{ '1763640060000': ['3'] }]);
    store.clear();
    assert.equal(store.load(), undefined);
  });

  it("resets by deleting the log and a compaction's temp file, cut or whole, and leaves any other file of those names alone", () => {
    const store = new EmittedGidStore({ file: path.join(dir, 'x.checkpoint.emitted'), logger: silentLogger });
    store.append({ '1763640000000': ['1'] });
    fs.writeFileSync(`${store.file}.tmp`, '{"su');
    assert.deepEqual(store.reset(), [store.file, `${store.file}.tmp`]);
    assert.deepEqual(fs.readdirSync(dir), []);
    fs.writeFileSync(store.file, 'remember the milk\n');
    fs.mkdirSync(`${store.file}.tmp`);
    assert.deepEqual(store.reset(), []);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['x.checkpoint.emitted', 'x.checkpoint.emitted.tmp']);
  });

  it('drops a line cut by a crash with one WARN and cuts it off, so the next append is readable', () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (m: string) => warnings.push(m) } as Logger;
    const store = new EmittedGidStore({ file: path.join(dir, 'x.emitted'), logger });
    store.append({ '0': ['1'] });
    store.append({ '60000': ['2'] });
    const text = fs.readFileSync(store.file, 'utf8');
    for (let cut = text.indexOf('\n') + 1; cut < text.length; cut++) {
      fs.writeFileSync(store.file, text.slice(0, cut));
      warnings.length = 0;
      assert.deepEqual(records(store), [{ '0': ['1'] }], `cut at ${cut}`);
      assert.equal(warnings.length, cut === text.indexOf('\n') + 1 ? 0 : 1);
      store.append({ '120000': ['3'] });
      assert.deepEqual(records(store), [{ '0': ['1'] }, { '120000': ['3'] }]);
    }
  });

  it('drops a line that fails its checksum before the end with one WARN that calls it damaged, not a crash, and keeps the others', () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (m: string) => warnings.push(m) } as Logger;
    const store = new EmittedGidStore({ file: path.join(dir, 'x.emitted'), logger });
    store.append({ '0': ['1'] });
    store.append({ '60000': ['2'] });
    store.append({ '120000': ['3'] });
    fs.writeFileSync(store.file, fs.readFileSync(store.file, 'utf8').replace('"2"', '"7"'));
    assert.deepEqual(records(store), [{ '0': ['1'] }, { '120000': ['3'] }]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] as string, /x\.emitted has 1 damaged line \(line 2:.*not a crash.*may be sent again.*none is lost/);
    assert.doesNotMatch(warnings[0] as string, /crash mid-write/);
    warnings.length = 0;
    assert.deepEqual(records(store), [{ '0': ['1'] }, { '120000': ['3'] }], 'the damaged line is dropped once');
    assert.deepEqual(warnings, []);
  });

  it('names itself in its first line: a rewrite keeps the name through appends and compactions, and a reader sees it', () => {
    const store = new EmittedGidStore({ file: path.join(dir, 'x.checkpoint.emitted'), logger: silentLogger });
    store.rewrite([{ '0': ['1'] }], 'a1b2c3');
    store.append({ '60000': ['2'] });
    assert.deepEqual(new EmittedGidStore({ file: store.file, logger: silentLogger }).load(), { id: 'a1b2c3', records: [{ '0': ['1'] }, { '60000': ['2'] }] });
    store.rewrite([{ '60000': ['2'] }]);
    const reader = new EmittedGidStore({ file: store.file, logger: silentLogger });
    assert.deepEqual(reader.load(), { id: 'a1b2c3', records: [{ '60000': ['2'] }] });
    reader.rewrite([]);
    assert.deepEqual(store.load(), { id: 'a1b2c3', records: [] }, 'a store that loaded the log keeps its name when it compacts');
    assert.match(fs.readFileSync(store.file, 'utf8'), /^\{"sum":"[0-9a-f]{16}","log":"a1b2c3"\}\n$/);
  });

  it('reads a log an earlier version wrote (no first line naming it) as a log with no name, and a name anywhere but the first line as damage', () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (m: string) => warnings.push(m) } as Logger;
    const store = new EmittedGidStore({ file: path.join(dir, 'x.checkpoint.emitted'), logger });
    store.append({ '0': ['1'] });
    assert.deepEqual(store.load(), { id: undefined, records: [{ '0': ['1'] }] });
    const named = new EmittedGidStore({ file: path.join(dir, 'named.checkpoint.emitted'), logger: silentLogger });
    named.rewrite([], 'a1');
    fs.appendFileSync(store.file, fs.readFileSync(named.file));
    assert.deepEqual(store.load(), { id: undefined, records: [{ '0': ['1'] }] });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] as string, /1 damaged line \(line 2:/);
  });

  it('refuses a file that is not an emitted-gid log, saying what it looks like, and neither overwrites, truncates nor clears it', () => {
    const file = path.join(dir, 'x.checkpoint.emitted');
    const store = new EmittedGidStore({ file, logger: silentLogger });
    const foreign: Array<[string, string | Buffer]> = [
      ['NDJSON', '{"gid":"1","created_at":"2026-11-20T12:00:00.000Z"}\n{"gid":"2","created_at":"2026-11-20T12:00:01.000Z"}\n'],
      ['JSON', '{"gid":"1"}\n'],
      ['text', 'remember the milk'],
      ['text', 'remember the milk\n{"sum":"0123456789abcdef","r":{}}\n'],
      ['a checkpoint file', '{"sum":"0123456789abcdef0123456789abcdef","checkpoint":{"version":2}}\n'],
      ['binary data', Buffer.alloc(64)],
    ];
    for (const [what, content] of foreign) {
      fs.writeFileSync(file, content);
      assert.throws(
        () => store.load(),
        (e: unknown) => e instanceof NotAnEmittedLogError && e.code === 'not_an_emitted_log' && e.what === what && e.message.includes(file),
        what,
      );
      store.clear();
      assert.deepEqual(store.reset(), []);
      assert.deepEqual(fs.readFileSync(file), Buffer.from(content), `${what}: left as it was`);
    }
  });

  it('reads an empty file, or one whose only line was cut by a crash, as an empty log', () => {
    const store = new EmittedGidStore({ file: path.join(dir, 'x.checkpoint.emitted'), logger: silentLogger });
    for (const content of ['', '{', '{"su', '{"sum":"0123', '{"sum":"0123456789abcdef","r":{"0":["1"']) {
      fs.writeFileSync(store.file, content);
      assert.deepEqual(records(store), [], content);
    }
  });

  it('compacts through a temp file of its own: a symlink planted at the fixed temp name is never written through', () => {
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'keep me\n');
    const store = new EmittedGidStore({ file: path.join(dir, 'x.checkpoint.emitted'), logger: silentLogger });
    store.append({ '0': ['1'] });
    fs.symlinkSync(victim, `${store.file}.tmp`);
    store.rewrite([{ '60000': ['2'] }]);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'keep me\n');
    assert.deepEqual(records(store), [{ '60000': ['2'] }]);
    assert.ok(fs.lstatSync(`${store.file}.tmp`).isSymbolicLink(), 'the planted link is left, not followed');
  });

  it('refuses to append to, or load, a symlink or FIFO at the log path, without blocking', () => {
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'keep me\n');
    const store = new EmittedGidStore({ file: path.join(dir, 'x.checkpoint.emitted'), logger: silentLogger });
    fs.symlinkSync(victim, store.file);
    assert.throws(() => store.append({ '0': ['1'] }), NotRegularFileError);
    assert.throws(() => store.load(), NotRegularFileError);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'keep me\n');
    if (process.platform === 'win32') return;
    fs.unlinkSync(store.file);
    execFileSync('mkfifo', [store.file]);
    assert.throws(() => store.append({ '0': ['1'] }), /FIFO/);
    assert.throws(() => store.load(), /FIFO/);
  });

  it('resets a temp file of a compaction cut short under its unpredictable name too, and leaves a FIFO there alone', () => {
    const store = new EmittedGidStore({ file: path.join(dir, 'x.checkpoint.emitted'), logger: silentLogger });
    store.append({ '0': ['1'] });
    const tmp = `${store.file}.0123456789abcdef01234567.tmp`;
    fs.writeFileSync(tmp, '{"sum":"ab');
    assert.deepEqual(store.reset(), [store.file, tmp]);
    assert.deepEqual(fs.readdirSync(dir), []);
    if (process.platform === 'win32') return;
    execFileSync('mkfifo', [store.file]);
    assert.deepEqual(store.reset(), []);
  });

  it('reports an unwritable directory as the checkpoint store does', () => {
    const store = new EmittedGidStore({ file: path.join(dir, 'missing', 'x.emitted'), logger: silentLogger });
    assert.throws(() => store.append({ '0': ['1'] }), CheckpointUnwritableError);
  });
});
