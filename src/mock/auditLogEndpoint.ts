import { ACTOR_TYPES, FILTER_NAMES, type Filters } from '../model/auditLog.js';
import { OFFSET_HELP, errorBody } from './errorBodies.js';
import { type OffsetClaims, OffsetCodec, type StorePosition } from './offsets.js';
import type { EventStore } from './store.js';

export interface Reply {
  status: number;
  body: string | Buffer;
  headers?: Record<string, string>;
}

export interface EndpointContext {
  store: EventStore;
  codec: OffsetCodec;
  workspaceGid: string;
  /** e.g. http://127.0.0.1:8910/api/1.0, for next_page.uri */
  baseUrl: string;
  nowMs: number;
  offsetTtlMs?: number;
  /**
   * An API that never moves on: a request with an offset gets the event the offset points after
   * (one already delivered) again, with the same offset back or a fresh one each time.
   */
  stall?: { mode: StallMode; served: number };
}

export type StallMode = 'same_offset' | 'fresh_offsets';

const DATA_OPEN = Buffer.from('{"data":[');
const COMMA = Buffer.from(',');
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 100;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export function expiredOffsetReply(): Reply {
  return badRequest(
    'offset: Your pagination token has expired. Repeat the request without an offset, using start_at to continue from the last event you kept.',
  );
}

/**
 * GET /workspaces/{gid}/audit_log_events once auth, routing and faults are settled: validates the
 * query, checks the offset against the filters it was issued for, and returns one page.
 */
export function serveAuditLogEvents(ctx: EndpointContext, params: URLSearchParams): Reply {
  const parsed = parseQuery(params);
  if ('error' in parsed) return badRequest(parsed.error);
  const { limit, filters, startMs, endMs, raw } = parsed;
  const filterKey = OffsetCodec.filterKey({ ...filters, start_at: startMs, end_at: endMs, workspace: ctx.workspaceGid });

  let after: StorePosition | undefined;
  const offset = params.get('offset');
  if (offset !== null) {
    const checked = ctx.codec.check(offset);
    if (!checked.ok) return badRequest('offset: Invalid pagination token. Use only an offset returned by this API.');
    if (checked.claims.filterKey !== filterKey) {
      return badRequest(
        'offset: This pagination token was issued for a different set of filters. Send it with exactly the filters (start_at and end_at included) of the request that returned it.',
      );
    }
    if (ctx.offsetTtlMs !== undefined && ctx.nowMs - checked.claims.issuedAtMs > ctx.offsetTtlMs) return expiredOffsetReply();
    after = checked.claims.position;
    if (ctx.stall) return stalledPage(ctx, ctx.stall, offset, checked.claims);
  }

  const page = ctx.store.page({ filters, startMs, endMs, after, limit });
  // A stream that has started keeps its cursor even when caught up; one that never matched has none.
  const position = page.last ?? after;
  let nextPage: { offset: string; path: string; uri: string } | null = null;
  if (position) {
    const token = ctx.codec.issue({ position, filterKey, issuedAtMs: ctx.nowMs });
    const query = new URLSearchParams([...raw, ['limit', String(limit)], ['offset', token]]);
    const path = `/workspaces/${ctx.workspaceGid}/audit_log_events?${query.toString()}`;
    nextPage = { offset: token, path, uri: `${ctx.baseUrl}${path}` };
  }
  // Stored events are already JSON: the page is their bytes joined, with no parse or stringify.
  const parts: Buffer[] = [DATA_OPEN];
  page.json.forEach((json, i) => {
    parts.push(...(i === 0 ? [json] : [COMMA, json]));
  });
  parts.push(Buffer.from(`],"next_page":${JSON.stringify(nextPage)}}`));
  return { status: 200, body: Buffer.concat(parts) };
}

function stalledPage(ctx: EndpointContext, stall: NonNullable<EndpointContext['stall']>, offset: string, claims: OffsetClaims): Reply {
  stall.served++;
  // A fresh token per answer: the issue time differs, so no two offsets are alike.
  const next = stall.mode === 'same_offset' ? offset : ctx.codec.issue({ ...claims, issuedAtMs: ctx.nowMs + stall.served });
  const event = ctx.store.eventAt(claims.position);
  const data = event ? event.toString('utf8') : '';
  return { status: 200, body: `{"data":[${data}],"next_page":${JSON.stringify({ offset: next })}}` };
}

interface ParsedQuery {
  limit: number;
  filters: Filters;
  startMs?: number;
  endMs?: number;
  /** The filters and bounds as the client spelled them, for next_page.path. */
  raw: [string, string][];
}

function parseQuery(params: URLSearchParams): ParsedQuery | { error: string } {
  let limit = DEFAULT_LIMIT;
  const limitText = params.get('limit');
  if (limitText !== null) {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_LIMIT) {
      return { error: `limit: Must be an integer from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limitText)}` };
    }
    limit = Number(limitText);
  }

  const raw: [string, string][] = [];
  const bounds: { start_at?: number; end_at?: number } = {};
  for (const name of ['start_at', 'end_at'] as const) {
    const text = params.get(name);
    if (text === null) continue;
    const ms = parseDateTime(text);
    if (ms === undefined) {
      return { error: `${name}: Invalid date-time ${JSON.stringify(text)}; use ISO 8601 such as 2024-10-18T04:42:40.072Z` };
    }
    bounds[name] = ms;
    raw.push([name, text]);
  }

  const filters: Filters = {};
  for (const name of FILTER_NAMES) {
    const value = params.get(name);
    if (value === null) continue;
    if (value === '') return { error: `${name}: Must not be empty` };
    if (name === 'actor_type' && !(ACTOR_TYPES as readonly string[]).includes(value)) {
      return { error: `actor_type: Invalid value ${JSON.stringify(value)}; must be one of ${ACTOR_TYPES.join(', ')}` };
    }
    filters[name] = value;
    raw.push([name, value]);
  }
  return { limit, filters, startMs: bounds.start_at, endMs: bounds.end_at, raw };
}

function parseDateTime(text: string): number | undefined {
  if (!DATE_TIME.test(text)) return undefined;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : ms;
}

function badRequest(message: string): Reply {
  return { status: 400, body: errorBody(message, message.startsWith('offset:') ? { help: OFFSET_HELP } : {}) };
}
