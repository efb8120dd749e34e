import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RACER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lockRacer.js');

/**
 * Races `racers` real processes (lockRacer.js) for one stale lock of the checkpoint `file`,
 * `rounds` times, and returns how many of them won each round: exactly one is right. Each round
 * plants a lock naming a pid that does not run, in the older pid-only format that old and new code
 * both read, and starts every racer at the same instant.
 */
export async function raceForStaleLock(file: string, racers: number, rounds: number): Promise<number[]> {
  const children: ChildProcess[] = Array.from({ length: racers }, () => fork(RACER, [file], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  const next = (child: ChildProcess, kind: string) =>
    new Promise<{ won?: boolean }>((resolve) => {
      const on = (m: { kind: string; won?: boolean }) => {
        if (m.kind !== kind) return;
        child.off('message', on);
        resolve(m);
      };
      child.on('message', on);
    });
  const all = (kind: string, message: object) =>
    Promise.all(
      children.map((c) => {
        const reply = next(c, kind);
        c.send(message);
        return reply;
      }),
    );
  await Promise.all(children.map((c) => next(c, 'ready')));
  const winners: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      fs.writeFileSync(`${file}.lock`, '999999999');
      const results = await all('result', { kind: 'race', round, at: Date.now() + 40 });
      winners.push(results.filter((r) => r.won).length);
      await all('released', { kind: 'release' });
    }
  } finally {
    for (const c of children) c.send({ kind: 'exit' });
  }
  return winners;
}
