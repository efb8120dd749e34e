import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errorLines, acmeInputPerTest, parseEventStream } from '../support/splunkdHarness.js';

const TOKEN = 'hostile-ckpt-token-9b1d3f5a7c';

/** One checkpoint line as the add-on writes it: the generation's JSON and a checksum of exactly those bytes. */
function line(checkpoint: unknown): string {
  const json = JSON.stringify(checkpoint);
  return `{"sum":"${createHash('sha256').update(json).digest('hex').slice(0, 32)}","checkpoint":${json}}\n`;
}

describe('hostile input: a checkpoint with a valid checksum but nonsense contents (e2e, through the launcher)', function () {
  this.timeout(60_000);
  const input = acmeInputPerTest(TOKEN, 4, 'hostile-ckpt-contents-');
  let file: string;
  beforeEach(() => {
    file = path.join(input.dir, 'acme.checkpoint');
  });
  /** The newest generation the add-on wrote, as an object to tamper with. */
  const newest = () => JSON.parse(fs.readFileSync(file, 'utf8').trim().split('\n').at(-1) as string).checkpoint;
  /** Nonsense dates, keys in the order the add-on writes them, so the checksum holds. */
  const garbled = (cp: { cursor: { endAt?: string; mark: { createdAt: string; gids: string[] } | null } }) => ({
    ...cp,
    cursor: {
      startAt: 'garbage',
      ...(cp.cursor.endAt !== undefined ? { endAt: cp.cursor.endAt } : {}),
      offset: null,
      mark: cp.cursor.mark ? { createdAt: 'garbage', gids: cp.cursor.mark.gids } : null,
    },
  });

  it('nonsense dates in the only generation: one ERROR calls the checkpoint damaged, nothing is fetched, nothing blamed on start_at', async () => {
    assert.equal((await input.run()).code, 0);
    fs.writeFileSync(file, line(garbled(newest())));
    input.asana.generateEvents(2);
    const before = input.asana.stats().requests;
    const r = await input.run();
    assert.equal(r.code, 1, r.stderr);
    const errors = errorLines(r.stderr);
    assert.equal(errors.length, 1, r.stderr);
    assert.match(
      errors[0] as string,
      /^ERROR input=acme the checkpoint file .*acme\.checkpoint is damaged: .*valid checksum but .*cursor\.startAt.*not an ISO-8601 date-time.*checkpoint reset.*code=checkpoint_corrupt/,
    );
    assert.doesNotMatch(r.stderr, /\(400\)/);
    assert.equal(input.asana.stats().requests, before, 'nothing fetched');
  });

  it('nonsense in the newest generation only: a WARN names the damage and the run resumes from the previous one', async () => {
    assert.equal((await input.run()).code, 0);
    const good = newest();
    fs.writeFileSync(file, line(good) + line({ ...garbled(good), generation: good.generation + 1 }));
    input.asana.generateEvents(2);
    const r = await input.run();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^WARN input=acme the newest generation of the checkpoint .* is damaged \(.*cursor\.startAt.*\): resuming from generation \d+/m);
    assert.equal(parseEventStream(r.stdout).length, 2);
  });
});
