/**
 * Reads an HTTP Event Collector request body the way HEC does: JSON objects one after another
 * (whitespace between them optional), each an envelope with `event` and optional metadata.
 */

export interface HecEnvelope {
  time?: number;
  event: unknown;
  sourcetype?: string;
  source?: string;
  host?: string;
  index?: string;
}

export type PayloadReading =
  | { ok: true; envelopes: HecEnvelope[] }
  /** `valid` are the envelopes before the faulty one: HEC has taken those already. */
  | { ok: false; code: number; text: string; invalidEventNumber?: number; valid: HecEnvelope[] };

/** Splits concatenated JSON texts; stops at the first that does not parse. */
export function splitConcatenatedJson(text: string): { values: unknown[]; failedAt?: number } {
  const values: unknown[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i] as string)) i++;
    if (i >= n) break;
    const start = i;
    if (text[i] !== '{') return { values, failedAt: values.length };
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
    }
    if (depth !== 0) return { values, failedAt: values.length };
    try {
      values.push(JSON.parse(text.slice(start, i)));
    } catch {
      return { values, failedAt: values.length };
    }
  }
  return { values };
}

const optionalString = (v: unknown) => v === undefined || typeof v === 'string';

/** Validates each envelope in order with HEC's codes: 5 no data, 6 invalid format, 12/13 event missing or blank, 7 index not allowed. */
export function readHecPayload(text: string, allowedIndexes: ReadonlySet<string> | undefined): PayloadReading {
  const { values, failedAt } = splitConcatenatedJson(text);
  if (values.length === 0 && failedAt === undefined) return { ok: false, code: 5, text: 'No data', valid: [] };
  const envelopes: HecEnvelope[] = [];
  const fail = (code: number, message: string, at: number): PayloadReading => ({ ok: false, code, text: message, invalidEventNumber: at, valid: envelopes });
  for (const [at, v] of values.entries()) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(6, 'Invalid data format', at);
    const o = v as Record<string, unknown>;
    if (!('event' in o)) return fail(12, 'Event field is required', at);
    if (o.event === null || o.event === '') return fail(13, 'Event field cannot be blank', at);
    const time = typeof o.time === 'string' && /^\d+(\.\d+)?$/.test(o.time) ? Number(o.time) : o.time;
    if (time !== undefined && (typeof time !== 'number' || !Number.isFinite(time))) return fail(6, 'Invalid data format', at);
    if (![o.sourcetype, o.source, o.host, o.index].every(optionalString)) return fail(6, 'Invalid data format', at);
    const index = o.index as string | undefined;
    if (index !== undefined && allowedIndexes && !allowedIndexes.has(index)) return fail(7, 'Incorrect index', at);
    envelopes.push({
      event: o.event,
      ...(time !== undefined ? { time: time as number } : {}),
      ...(o.sourcetype !== undefined ? { sourcetype: o.sourcetype as string } : {}),
      ...(o.source !== undefined ? { source: o.source as string } : {}),
      ...(o.host !== undefined ? { host: o.host as string } : {}),
      ...(index !== undefined ? { index } : {}),
    });
  }
  if (failedAt !== undefined) return fail(6, 'Invalid data format', failedAt);
  return { ok: true, envelopes };
}
