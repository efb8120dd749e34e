import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { raceForStaleLock } from '../support/lockRace.js';

describe('the checkpoint lock raced by real processes', function () {
  this.timeout(120_000);

  it('lets exactly one of many real processes win a race for one stale lock, every round', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-race-'));
    const file = path.join(dir, 'acme.checkpoint');
    const winners = await raceForStaleLock(file, 6, 60);
    const doubleWins = winners.flatMap((won, round) => (won === 1 ? [] : [round]));
    assert.deepEqual(doubleWins, [], `rounds without exactly one winner: ${doubleWins.join(', ')} (winners per round: ${winners.join('')})`);
    // No temp, claim or stale files are left in the directory.
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n !== 'acme.checkpoint.lock'),
      [],
    );
  });
});
