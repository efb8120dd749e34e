/**
 * One racer for the lock race test, a real process: on each `{ round, at }` message it spins until
 * `at` (so all racers start together), tries the lock once, reports, and on `release` lets it go.
 */
import { CheckpointStore } from '../../src/collector/checkpointStore.js';
import { silentLogger } from '../../src/logging/logger.js';

const file = process.argv[2] as string;
let store: CheckpointStore | undefined;
process.on('message', (m: { kind: 'race'; round: number; at: number } | { kind: 'release' } | { kind: 'exit' }) => {
  if (m.kind === 'race') {
    store = new CheckpointStore({ file, logger: silentLogger });
    while (Date.now() < m.at) {
      /* spin: the racers start within a millisecond of each other */
    }
    let won = false;
    try {
      store.lock();
      won = true;
    } catch {
      /* locked or lost */
    }
    process.send?.({ kind: 'result', round: m.round, won });
  } else if (m.kind === 'release') {
    store?.unlock();
    process.send?.({ kind: 'released' });
  } else process.exit(0);
});
process.send?.({ kind: 'ready' });
