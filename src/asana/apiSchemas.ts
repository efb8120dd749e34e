import { z } from 'zod';

// Asana's wire format around the events: the page envelope and the error body.

export const nextPageSchema = z
  .looseObject({
    offset: z.string().min(1),
    path: z.string().optional(),
    uri: z.string().optional(),
  })
  .nullable();

/** The response envelope. `data` items are validated one by one so a bad event can be named. */
export const auditLogPageSchema = z.looseObject({
  data: z.array(z.unknown()),
  next_page: nextPageSchema.optional(),
});
export type AuditLogPageBody = z.infer<typeof auditLogPageSchema>;

export const errorBodySchema = z.looseObject({
  errors: z.array(
    z.looseObject({
      message: z.string().optional(),
      help: z.string().optional(),
      phrase: z.string().optional(),
    }),
  ),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
