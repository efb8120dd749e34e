import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

describe('the checkpoint lock raced by real processes', function () {
  this.timeout(120_000);

  it('lets exactly one of many real processes win a race for one stale lock, every round', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-race-'));
    const file = path.join(dir, 'acme.checkpoint');
    const racer = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'support', 'lockRacer.js');
    const RACERS = 6;
    const ROUNDS = 60;
    const children: ChildProcess[] = Array.from({ length: RACERS }, () => fork(racer, [file], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
    const next = (child: ChildProcess, kind: string) =>
      new Promise<{ won?: boolean }>((resolve) => {
        const on = (m: { kind: string; won?: boolean }) => {
          if (m.kind !== kind) return;
          child.off('message', on);
          resolve(m);
        };
        child.on('message', on);
      });
    await Promise.all(children.map((c) => next(c, 'ready')));
    const doubleWins: number[] = [];
    const winners: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        // A stale lock: a pid that does not run (an older version's format, which both old and new code read).
        fs.writeFileSync(`${file}.lock`, '999999999');
        const at = Date.now() + 40;
        const results = await Promise.all(
          children.map((c) => {
            const r = next(c, 'result');
            c.send({ kind: 'race', round, at });
            return r;
          }),
        );
        const won = results.filter((r) => r.won).length;
        winners.push(won);
        if (won !== 1) doubleWins.push(round);
        await Promise.all(
          children.map((c) => {
            const r = next(c, 'released');
            c.send({ kind: 'release' });
            return r;
          }),
        );
      }
    } finally {
      for (const c of children) c.send({ kind: 'exit' });
    }
    assert.deepEqual(doubleWins, [], `rounds without exactly one winner: ${doubleWins.join(', ')} (winners per round: ${winners.join('')})`);
    // No temp, claim or stale files are left in the directory.
    assert.deepEqual(
      fs.readdirSync(dir).filter((n) => n !== 'acme.checkpoint.lock'),
      [],
    );
  });
});
