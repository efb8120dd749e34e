import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkpointFileName } from '../../src/collector/checkpointStore.js';

/** Names built from the characters that matter: plain ones, the escape, the digest marker, separators and non-ASCII. */
const nameChars = fc.constantFrom('a', 'Z', '0', '9', '.', '_', '-', '%', '~', '/', '\\', ' ', ':', 'é', '😀', '2', 'F');
const arbName = fc.oneof(
  fc.string({ unit: nameChars, minLength: 1, maxLength: 12 }),
  fc.string({ unit: nameChars, minLength: 95, maxLength: 110 }),
  fc.string({ minLength: 1, maxLength: 300 }),
);

describe('checkpoint file names', () => {
  it('keeps plain names where every earlier version kept them', () => {
    assert.equal(checkpointFileName('acme'), 'acme.checkpoint');
    assert.equal(checkpointFileName('team_a-65f838a2fbff'), 'team_a-65f838a2fbff.checkpoint');
    assert.equal(checkpointFileName('prod.eu-1'), 'prod.eu-1.checkpoint');
  });

  it('gives "team/a" and "team_a-65f838a2fbff" different files (they shared one)', () => {
    assert.equal(checkpointFileName('team/a'), 'team%2Fa.checkpoint');
    assert.notEqual(checkpointFileName('team/a'), checkpointFileName('team_a-65f838a2fbff'));
  });

  it('maps two different names to two different files (property)', () => {
    fc.assert(
      fc.property(arbName, arbName, (a, b) => {
        fc.pre(a !== b);
        return checkpointFileName(a) !== checkpointFileName(b);
      }),
      { numRuns: 20_000 },
    );
  });

  it('gives a file name safe on every filesystem: no separator or NUL, not hidden, at most 255 bytes (property)', () => {
    fc.assert(
      fc.property(arbName, (name) => {
        const file = checkpointFileName(name);
        return !/[/\\\0]/.test(file) && !file.startsWith('.') && Buffer.byteLength(file) <= 255;
      }),
    );
  });
});
