import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeCheckpointFile, isCheckpointHead } from '../../src/collector/checkpoint.js';
import { looksLike } from '../../src/collector/fileKind.js';

describe('looksLike', () => {
  const of = (text: string, cut = false) => looksLike(Buffer.from(text), cut);

  it('names NDJSON, JSON, XML, text, blank, empty and binary files', () => {
    assert.equal(of('{"gid":"1"}\n{"gid":"2"}\n'), 'NDJSON');
    assert.equal(of('{"a": [1,\n 2]}\n'), 'JSON');
    assert.equal(of('<?xml version="1.0"?><stream></stream>'), 'XML or HTML');
    assert.equal(of('remember the milk\n'), 'text');
    assert.equal(of('\n \n'), 'blank text');
    assert.equal(of(''), 'an empty file');
    assert.equal(looksLike(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]), false), 'binary data');
  });

  it('does not judge the last line of a file read only in part', () => {
    assert.equal(of('{"gid":"1"}\n{"gid":"2"}\n{"gi', true), 'NDJSON');
  });
});

describe('isCheckpointHead', () => {
  it("knows every checkpoint file and every prefix of one: under a checkpoint's name all of them, under any name all but the shortest", () => {
    const cp = {
      version: 2 as const,
      generation: 3,
      workspaceGid: '1',
      filters: {},
      cursor: { offset: null, mark: null },
      windows: [],
      eventsEmitted: 0,
      savedAt: '2026-01-01T00:00:00.000Z',
    };
    const file = Buffer.from(encodeCheckpointFile([cp, { ...cp, generation: 4 }]));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: file.length }), (n) => {
        assert.equal(isCheckpointHead(file.subarray(0, n), 'acme.checkpoint'), true);
        assert.equal(isCheckpointHead(file.subarray(0, n), 'anything.txt'), n >= 8);
      }),
    );
  });

  it("takes anything under a checkpoint's name as a checkpoint, damaged or not, so a damaged one can be reported and reset", () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from('hi'), Buffer.alloc(4096, 0), Buffer.from('this is not a checkpoint\n')]) {
      assert.equal(isCheckpointHead(bytes, 'acme.checkpoint'), true);
    }
  });

  it('under any other name refuses a short file, NDJSON events and other JSON', () => {
    assert.equal(isCheckpointHead(Buffer.alloc(0), 'notes.txt'), false);
    assert.equal(isCheckpointHead(Buffer.from('{"sum'), 'events.ndjson'), false);
    assert.equal(isCheckpointHead(Buffer.from('{"gid":"1","created_at":"2026-01-01T00:00:00Z"}\n'), 'events.ndjson'), false);
    assert.equal(isCheckpointHead(Buffer.from('{"sum": "a"}'), 'x.json'), false);
  });
});
