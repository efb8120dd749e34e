import { z } from 'zod';

/** HEC answers every request with this shape (plus `ackId` when acknowledgment is on). */
export const hecReplySchema = z.object({
  text: z.string(),
  code: z.number().int(),
  ackId: z.number().int().min(0).optional(),
  'invalid-event-number': z.number().int().optional(),
});
export type HecReply = z.infer<typeof hecReplySchema>;

/** The ack endpoint's answer: ack id (as a JSON key) → indexed yet. */
export const hecAckReplySchema = z.object({ acks: z.record(z.string(), z.boolean()) });

/** HEC's documented status codes that the collector treats specially. */
export const HEC_CODES = {
  success: 0,
  tokenDisabled: 1,
  tokenRequired: 2,
  invalidAuthorization: 3,
  invalidToken: 4,
  noData: 5,
  invalidDataFormat: 6,
  incorrectIndex: 7,
  internalError: 8,
  serverBusy: 9,
  channelMissing: 10,
  invalidChannel: 11,
  eventRequired: 12,
  eventBlank: 13,
  ackDisabled: 14,
} as const;

export function parseHecReply(bodyText: string): HecReply | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  const reply = hecReplySchema.safeParse(parsed);
  return reply.success ? reply.data : undefined;
}
