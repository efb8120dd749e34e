import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A place in the store's order: strictly after the event with this time and arrival number. */
export interface StorePosition {
  timeMs: number;
  seq: number;
}

export interface OffsetClaims {
  position: StorePosition;
  /** Which filter set (start_at/end_at included) the offset was issued for. */
  filterKey: string;
  issuedAtMs: number;
}

export type OffsetCheck = { ok: true; claims: OffsetClaims } | { ok: false; reason: 'malformed' | 'forged' };

const VERSION = 1;
const MAC_BYTES = 16;

/**
 * Opaque pagination tokens: base64url JSON of the position, the filter key and the issue time,
 * then an HMAC under a per-server secret, so a client can neither forge nor edit one and an offset
 * from another mock instance is rejected like a stale one.
 */
export class OffsetCodec {
  private readonly secret: Buffer;

  constructor(secret: Buffer = randomBytes(32)) {
    this.secret = secret;
  }

  /** A short digest of a canonical filter set; equal filter sets give equal keys. */
  static filterKey(filters: Readonly<Record<string, string | number | undefined>>): string {
    const canonical = Object.keys(filters)
      .sort()
      .filter((k) => filters[k] !== undefined)
      .map((k) => [k, String(filters[k])]);
    return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 16);
  }

  issue(claims: OffsetClaims): string {
    const payload = Buffer.from(JSON.stringify([VERSION, claims.position.timeMs, claims.position.seq, claims.filterKey, claims.issuedAtMs])).toString(
      'base64url',
    );
    return `${payload}.${this.mac(payload).toString('base64url')}`;
  }

  check(token: string): OffsetCheck {
    const dot = token.indexOf('.');
    if (dot <= 0) return { ok: false, reason: 'malformed' };
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (!Array.isArray(parsed) || parsed.length !== 5 || parsed[0] !== VERSION) return { ok: false, reason: 'malformed' };
    const [, timeMs, seq, filterKey, issuedAtMs] = parsed as unknown[];
    if (typeof timeMs !== 'number' || typeof seq !== 'number' || typeof filterKey !== 'string' || typeof issuedAtMs !== 'number') {
      return { ok: false, reason: 'malformed' };
    }
    return { ok: true, claims: { position: { timeMs, seq }, filterKey, issuedAtMs } };
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.secret).update(payload).digest().subarray(0, MAC_BYTES);
  }
}
