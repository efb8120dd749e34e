import type { AuditLogEvent, Filters } from '../asana/schemas.js';
import { isAsanaApiError } from '../asana/errors.js';
import type { Logger } from '../logging/logger.js';
import { type Checkpoint, sameIdentity } from './checkpoint.js';
import { advanceCursor, dropAlreadyEmitted, queryFor } from './cursor.js';
import type { EventSink, PageSource } from './ports.js';

/** Where checkpoints live; the file store implements it, tests keep them in memory. */
export interface CheckpointPort {
  load(): Checkpoint | undefined;
  save(cp: Checkpoint): void;
}

export interface CollectOptions {
  workspaceGid: string;
  filters: Filters;
  pageSize: number;
  /** Absolute ISO time where a new cursor starts; undefined = the oldest event Asana holds. */
  startAt?: string;
  /** Checked between pages: a stop request finishes the page in hand, then returns. */
  shouldStop?: () => boolean;
  /** Called after each page's checkpoint is saved: for progress displays. */
  onProgress?: (progress: Readonly<CollectSummary> & { newest: string | null }) => void;
  now?: () => number;
}

export interface CollectSummary {
  events: number;
  pages: number;
  /** Seconds between the newest emitted event's created_at and the moment it was flushed. */
  lagSeconds: number | null;
  offsetResumes: number;
  caughtUp: boolean;
}

/** How often in a row a fresh offset may be rejected before the run gives up. */
const MAX_CONSECUTIVE_OFFSET_RESUMES = 3;

/**
 * Drains pages until a page comes back empty. Order per page: fetch, write to the sink (which
 * resolves once flushed), then save the checkpoint. A crash at any point repeats at most the
 * page in hand and never skips one. Errors propagate with the checkpoint untouched.
 */
export async function collect(
  deps: { source: PageSource; sink: EventSink; checkpoints: CheckpointPort; logger: Logger },
  opts: CollectOptions,
): Promise<CollectSummary> {
  const { source, sink, checkpoints, logger } = deps;
  const now = opts.now ?? Date.now;
  let cp = checkpoints.load();
  if (cp && !sameIdentity(cp, opts.workspaceGid, opts.filters)) {
    logger.warn('the input\'s workspace_gid or filters changed since the last run: starting a new cursor from start_at', {
      old_filters: JSON.stringify({ workspace_gid: cp.workspaceGid, ...cp.filters }),
    });
    cp = undefined;
  }
  if (!cp) {
    cp = newCheckpoint(opts, now);
    logger.info(`starting a new cursor at ${opts.startAt ?? 'the oldest event Asana holds'}`);
  }

  const summary: CollectSummary = { events: 0, pages: 0, lagSeconds: null, offsetResumes: 0, caughtUp: false };
  let consecutiveResumes = 0;
  while (!opts.shouldStop?.()) {
    const query = queryFor(cp.cursor, { workspaceGid: opts.workspaceGid, filters: opts.filters, limit: opts.pageSize });
    let page;
    try {
      page = await source.fetchPage(query);
    } catch (e) {
      if (isAsanaApiError(e) && e.code === 'offset_expired' && query.offset !== undefined && consecutiveResumes < MAX_CONSECUTIVE_OFFSET_RESUMES) {
        consecutiveResumes++;
        summary.offsetResumes++;
        logger.warn('Asana no longer accepts the saved page offset: resuming from the newest emitted event time without skipping or repeating events', {
          resume_at: cp.cursor.mark?.createdAt ?? cp.cursor.startAt ?? 'oldest',
        });
        cp = { ...cp, cursor: { ...cp.cursor, offset: null } };
        continue;
      }
      throw e;
    }
    summary.pages++;
    const fresh = dropAlreadyEmitted(page.events, cp.cursor.mark);
    // Only progress clears the count: offsets that always expire must not loop forever.
    if (fresh.length > 0) consecutiveResumes = 0;
    if (fresh.length > 0) {
      await sink.write(fresh);
      summary.events += fresh.length;
      summary.lagSeconds = lagOf(fresh, now());
    }
    const cursor = advanceCursor(cp.cursor, query, page, fresh);
    if (JSON.stringify(cursor) !== JSON.stringify(cp.cursor) || cp.generation === 0) {
      cp = {
        ...cp,
        generation: cp.generation + 1,
        cursor,
        eventsEmitted: cp.eventsEmitted + fresh.length,
        savedAt: new Date(now()).toISOString(),
      };
      checkpoints.save(cp);
    }
    opts.onProgress?.({ ...summary, newest: cp.cursor.mark?.createdAt ?? null });
    logger.debug('page done', { events: fresh.length, repeated: page.events.length - fresh.length, has_next: page.nextOffset !== null });
    const nothingNew = fresh.length === 0 && (page.events.length === 0 || page.nextOffset === null);
    if (page.events.length === 0 || nothingNew) {
      summary.caughtUp = true;
      break;
    }
  }
  return summary;
}

function newCheckpoint(opts: CollectOptions, now: () => number): Checkpoint {
  return {
    version: 1,
    generation: 0,
    workspaceGid: opts.workspaceGid,
    filters: { ...opts.filters },
    cursor: { ...(opts.startAt !== undefined ? { startAt: opts.startAt } : {}), offset: null, mark: null },
    eventsEmitted: 0,
    savedAt: new Date(now()).toISOString(),
  };
}

function lagOf(events: readonly AuditLogEvent[], nowMs: number): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const e of events) newest = Math.max(newest, Date.parse(e.created_at));
  return Math.max(0, Math.round((nowMs - newest) / 1000));
}
