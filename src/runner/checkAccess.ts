import { AuditLogClient } from '../asana/auditLogClient.js';
import { createAsanaAgents, type AsanaAgents } from '../asana/httpAgents.js';
import { isAsanaApiError } from '../asana/asanaApiError.js';
import type { Logger } from '../logging/logger.js';
import type { InputSettings } from '../settings/settings.js';
import { errorCode, errorText } from '../errors/codedError.js';
import { type Naming, SETTING_NAMES } from '../errors/naming.js';

export type AccessResult = { ok: true; sawEvents: boolean } | { ok: false; code: string; message: string };

/**
 * One live call (`limit=1`) that proves the token can read this organization's audit log. It
 * retries little: an admin is waiting on the answer in Splunk Web or on the terminal.
 */
export async function checkAccess(
  settings: InputSettings,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  naming: Naming = SETTING_NAMES,
): Promise<AccessResult> {
  let agents: AsanaAgents;
  try {
    agents = createAsanaAgents({ proxyUrl: settings.proxyUrl, caBundle: settings.caBundle, env, maxSockets: 1 });
  } catch (e) {
    return { ok: false, code: errorCode(e), message: errorText(e, naming) };
  }
  const client = new AuditLogClient({
    httpAgent: agents.httpAgent,
    httpsAgent: agents.httpsAgent,
    baseUrl: settings.apiBaseUrl,
    token: settings.token,
    maxRequestsPerMinute: settings.maxRequestsPerMinute,
    timeoutMs: 15_000,
    policy: { maxRetries: 1, baseDelayMs: 500, maxRateLimitRetries: 1, maxRetryAfterMs: 5_000 },
    logger,
    naming,
  });
  try {
    const page = await client.fetchPage({ workspaceGid: settings.workspaceGid, filters: settings.filters, limit: 1 });
    return { ok: true, sawEvents: page.events.length > 0 };
  } catch (e) {
    if (isAsanaApiError(e)) return { ok: false, code: e.code, message: e.describe(naming) };
    return { ok: false, code: errorCode(e), message: `the check failed unexpectedly: ${errorText(e, naming)}` };
  } finally {
    await client.close();
    agents.destroy();
  }
}
