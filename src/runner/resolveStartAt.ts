import type { Logger } from '../logging/logger.js';
import { type Naming, SETTING_NAMES } from '../errors/naming.js';
import { parseStartAt } from '../settings/startAt.js';

/** Asana deletes events after 90 days. */
const RETENTION_MS = 90 * 86_400_000;

/**
 * The absolute start of a new cursor, or undefined for "the oldest event Asana holds". A time
 * before the retention window is dropped with a WARN; a future time is kept with a WARN.
 */
export function resolveStartAt(text: string | undefined, now: Date, logger: Logger, naming: Naming = SETTING_NAMES): string | undefined {
  if (text === undefined) return undefined;
  const at = parseStartAt(text, now);
  if (!at) return undefined; // settings validation has already rejected it
  if (now.getTime() - at.getTime() > RETENTION_MS) {
    logger.warn(`${naming.startAt} ${text} is older than Asana's 90-day retention: starting at the oldest event Asana still holds`);
    return undefined;
  }
  if (at.getTime() > now.getTime()) {
    logger.warn(
      `${naming.startAt} ${text} is in the future: no events will be collected before ${at.toISOString()}; clear ${naming.startAt} to start at the oldest event`,
    );
  }
  return at.toISOString();
}
