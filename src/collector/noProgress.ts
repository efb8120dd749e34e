import { CodedError } from '../errors/codedError.js';
import type { Mark } from './checkpoint.js';

/**
 * Pages asked for by offset that bring no event past the mark and do not end the stream, in a row
 * (since the last page with an event past the mark, or the last query without an offset, which starts over at the
 * mark), before the run gives up on an API that never moves on (the same offset back, or fresh
 * offsets over events already delivered). An empty page is not one of them: it ends the stream
 * as caught up.
 */
export const NO_PROGRESS_PAGES = 10;

/**
 * A resume from the mark (no offset) starts at the mark's instant, inclusive, so it legitimately
 * reads the events already emitted at that instant again: those pages are allowed on top.
 */
export function noProgressAllowance(mark: Mark | null, pageSize: number): number {
  return NO_PROGRESS_PAGES + Math.ceil((mark?.gids.length ?? 0) / Math.max(1, pageSize));
}

/** The API kept answering without moving on; the run stops with the checkpoint where it was. */
export class NoProgressError extends CodedError<'no_progress'> {
  constructor(pages: number, sameOffset: boolean) {
    super(
      'no_progress',
      `Asana answered ${pages} pages in a row with no new event and ${sameOffset ? 'the same page offset back' : 'a new page offset each time'}: the API is not moving on, so this run stops instead of spending the request budget forever. The checkpoint keeps the newest delivered event and the next run resumes from it; if this repeats, report it to Asana support with the time of this line`,
    );
  }
}
