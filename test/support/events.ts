import type { AuditLogEvent } from '../../src/model/auditLog.js';

/** An event as a page parser would hand it on: its placing fields and its JSON text. */
export function auditEvent(fields: { gid: string; created_at: string } & Record<string, unknown>): AuditLogEvent {
  return { gid: fields.gid, created_at: fields.created_at, json: JSON.stringify(fields) };
}
