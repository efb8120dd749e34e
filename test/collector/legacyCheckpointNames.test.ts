import assert from 'node:assert/strict';
import { legacyCheckpointFileName } from '../../src/collector/checkpointNames.js';

describe('checkpoint file names of version 0.1.0 (read once on upgrade)', () => {
  it('are given for names that were hashed, and for no plain name (their files never moved)', () => {
    assert.equal(legacyCheckpointFileName('team/a'), 'team_a-65f838a2fbff.checkpoint');
    assert.equal(legacyCheckpointFileName('acme'), undefined);
    assert.equal(legacyCheckpointFileName('team_a-65f838a2fbff'), undefined);
  });
});
