import { parsePage } from '../../src/asana/parsePage.js';
import type { AuditLogEvent, Page, PageQuery } from '../../src/model/auditLog.js';
import { type FetchOptions, OffsetExpiredError, type PageSource } from '../../src/collector/ports.js';
import { serveAuditLogEvents } from '../../src/mock/auditLogEndpoint.js';
import { LateArrivals } from '../../src/mock/lateArrivals.js';
import { OffsetCodec } from '../../src/mock/offsets.js';
import { EventStore } from '../../src/mock/store.js';

/**
 * The mock Asana's own endpoint logic (store, keyset offsets, late arrivals) served in-process,
 * with a clock the test moves: fast enough for property tests, and the same semantics as the
 * HTTP mock. Offsets can be made to expire at will.
 */
export class KeysetAuditLog implements PageSource {
  readonly store = new EventStore();
  readonly late = new LateArrivals();
  private readonly codec = new OffsetCodec();
  readonly queries: Array<PageQuery & { background: boolean }> = [];
  nowMs: number;
  /** Asked for every request that carries an offset: true rejects the offset as expired. */
  expireOffset: () => boolean = () => false;

  constructor(nowMs: number) {
    this.nowMs = nowMs;
  }

  add(...events: AuditLogEvent[]): void {
    for (const e of events) this.store.add(e);
  }

  /** The event shows up `delayMs` after its created_at, by this log's clock. */
  addLate(delayMs: number, ...events: AuditLogEvent[]): void {
    for (const e of events) this.late.schedule(e, Date.parse(e.created_at) + delayMs);
  }

  async fetchPage(query: PageQuery, options: FetchOptions = {}): Promise<Page> {
    this.queries.push({ ...query, background: options.background === true });
    this.late.release(this.nowMs, this.store);
    if (query.offset !== undefined && this.expireOffset()) {
      throw new OffsetExpiredError('offset: expired');
    }
    const params = new URLSearchParams();
    if (query.startAt !== undefined) params.set('start_at', query.startAt);
    if (query.endAt !== undefined) params.set('end_at', query.endAt);
    params.set('limit', String(query.limit));
    if (query.offset !== undefined) params.set('offset', query.offset);
    const reply = serveAuditLogEvents(
      { store: this.store, codec: this.codec, workspaceGid: query.workspaceGid, baseUrl: 'http://memory', nowMs: this.nowMs },
      params,
    );
    if (reply.status !== 200) throw new Error(`unexpected ${reply.status}: ${reply.body.toString()}`);
    return parsePage(reply.body.toString(), 'application/json');
  }
}
