import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { DeadlineRequests, TransportFailure } from '../net/deadlineRequests.js';
import { isTlsFailure } from '../net/tlsErrors.js';
import { CodedError } from '../errors/codedError.js';
import type { SplunkdTrust } from './splunkdTrust.js';
import { PARSED_RARELY } from '../model/parseOptions.js';

export type SplunkdErrorCode = 'splunkd_unreachable' | 'splunkd_tls' | 'splunkd_timeout' | 'splunkd_refused' | 'splunkd_bad_answer';

/** A failed call to splunkd's REST API, naming the step it was taken for. */
export class SplunkdError extends CodedError<SplunkdErrorCode> {
  constructor(
    code: SplunkdErrorCode,
    readonly step: string,
    message: string,
    readonly status?: number,
  ) {
    super(code, message);
  }
}

export interface SplunkCredentialStoreOptions {
  /** splunkd's management URI from the input XML, e.g. https://127.0.0.1:8089. */
  serverUri: string;
  sessionKey: string;
  /** The app whose namespace holds the entries and the input. */
  app: string;
  trust: SplunkdTrust;
  /** Whole-request deadline (connect, answer and body), default 30 s. */
  timeoutMs?: number;
}

interface Answer {
  status: number;
  body: string;
  contentType?: string;
}

/** `GET storage/passwords/<id>?output_mode=json`: only the field read is declared. */
const passwordEntrySchema = z.object({
  entry: z.array(z.object({ content: z.object({ clear_password: z.string() }) })).min(1),
});

/** splunkd's error body with output_mode=json. */
const messagesSchema = z.object({ messages: z.array(z.object({ text: z.string() })).min(1) });

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_MESSAGE = 300;

/**
 * splunkd's credential store (`storage/passwords`, encrypted in passwords.conf) and the edit
 * endpoint of this add-on's inputs, in the app's namespace as user `nobody`.
 */
export class SplunkCredentialStore {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly requests: DeadlineRequests;

  constructor(private readonly opts: SplunkCredentialStoreOptions) {
    this.base = `${opts.serverUri.replace(/\/+$/, '')}/servicesNS/nobody/${encodeURIComponent(opts.app)}`;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // The same whole-request deadline as Asana's and HEC's calls: an idle timeout alone never fires
    // on a body that drips a byte at a time.
    this.requests = new DeadlineRequests(this.timeoutMs);
  }

  /** The clear password of realm:username, or undefined when there is no such entry. */
  async read(realm: string, username: string): Promise<string | undefined> {
    const step = 'reading the stored secret from storage/passwords';
    const res = await this.call(step, 'GET', `/storage/passwords/${encodeURIComponent(entryId(realm, username))}`);
    if (res.status === 404) return undefined;
    this.expectOk(step, res, [200]);
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    const parsed = passwordEntrySchema.safeParse(body, PARSED_RARELY);
    if (!parsed.success)
      throw new SplunkdError(
        'splunkd_bad_answer',
        step,
        `splunkd's answer while ${step} has no clear_password (HTTP ${res.status}, ${describeType(res.contentType)})`,
        res.status,
      );
    return parsed.data.entry[0]?.content.clear_password;
  }

  /** Creates realm:username, or updates it when it exists: one entry per name, never two. */
  async write(realm: string, username: string, password: string): Promise<'created' | 'updated'> {
    const createStep = 'creating the entry in storage/passwords';
    const created = await this.call(createStep, 'POST', '/storage/passwords', { name: username, password, realm });
    if (created.status !== 409) {
      this.expectOk(createStep, created, [200, 201]);
      return 'created';
    }
    const updateStep = 'updating the entry in storage/passwords';
    const updated = await this.call(updateStep, 'POST', `/storage/passwords/${encodeURIComponent(entryId(realm, username))}`, { password });
    this.expectOk(updateStep, updated, [200, 201]);
    return 'updated';
  }

  /** Sets fields of one input of this add-on (used to replace secrets by the mask in inputs.conf). */
  async editInput(scheme: string, name: string, fields: Record<string, string>): Promise<void> {
    const step = `masking the secret in the input's settings (data/inputs/${scheme})`;
    const res = await this.call(step, 'POST', `/data/inputs/${encodeURIComponent(scheme)}/${encodeURIComponent(name)}`, fields);
    this.expectOk(step, res, [200, 201]);
  }

  private expectOk(step: string, res: { status: number; body: string }, ok: number[]): void {
    if (ok.includes(res.status)) return;
    const said = splunkdMessage(res.body);
    const hint =
      res.status === 401
        ? ': the session key was not accepted'
        : res.status === 403
          ? ': the session may not read or write storage/passwords (reading needs the list_storage_passwords capability, writing admin rights)'
          : '';
    throw new SplunkdError(
      'splunkd_refused',
      step,
      `splunkd refused ${step} (HTTP ${res.status}${hint})${said ? `; splunkd said: "${said}"` : ''}`,
      res.status,
    );
  }

  private async call(step: string, method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Answer> {
    let answer: Answer | 'too large';
    try {
      answer = await this.requests.run((signal) => this.send(method, path, form, signal));
    } catch (e) {
      const failure = e instanceof TransportFailure ? e : new TransportFailure(undefined, false);
      throw this.transportError(step, failure);
    }
    if (answer === 'too large') {
      throw new SplunkdError(
        'splunkd_bad_answer',
        step,
        `splunkd's answer while ${step} is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB: something other than splunkd answers at ${this.opts.serverUri}?`,
      );
    }
    return answer;
  }

  /** One request; resolves 'too large' (and drops the connection) once the body passes MAX_BODY_BYTES. */
  private send(method: 'GET' | 'POST', path: string, form: Record<string, string> | undefined, signal: AbortSignal): Promise<Answer | 'too large'> {
    const url = new URL(`${this.base}${path}`);
    url.searchParams.set('output_mode', 'json');
    const payload = form ? new URLSearchParams(form).toString() : undefined;
    const isHttps = url.protocol === 'https:';
    const headers: Record<string, string | number> = { Authorization: `Splunk ${this.opts.sessionKey}`, Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const options: https.RequestOptions = {
      method,
      headers,
      agent: false,
      signal,
      ...(isHttps ? { ca: this.opts.trust.ca, checkServerIdentity: this.opts.trust.checkServerIdentity, rejectUnauthorized: true } : {}),
    };
    return new Promise((resolve, reject) => {
      const req = (isHttps ? https : http).request(url, options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_BODY_BYTES) chunks.push(c);
          else {
            resolve('too large');
            req.destroy();
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'] }));
        res.on('error', reject);
      });
      // Node's error holds the request options, session key included: only its code is kept (DeadlineRequests).
      req.on('error', reject);
      req.end(payload);
    });
  }

  private transportError(step: string, failure: TransportFailure): SplunkdError {
    const code = typeof failure.errno === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(failure.errno) ? failure.errno : 'no error code';
    if (failure.deadlineExceeded) {
      return new SplunkdError(
        'splunkd_timeout',
        step,
        `splunkd at ${this.opts.serverUri} did not finish answering within ${this.timeoutMs / 1000} s while ${step}: check that server_uri reaches splunkd's management port itself (not a proxy that holds the connection open)`,
      );
    }
    if (isTlsFailure(code)) {
      const trusted = this.opts.trust.caSource ?? 'no Splunk CA was found ($SPLUNK_HOME/etc/auth/cacert.pem, or sslRootCAPath in server.conf [sslConfig])';
      return new SplunkdError(
        'splunkd_tls',
        step,
        `splunkd's certificate at ${this.opts.serverUri} failed verification while ${step} (${code}); trusted CA: ${trusted}`,
      );
    }
    return new SplunkdError('splunkd_unreachable', step, `splunkd at ${this.opts.serverUri} could not be reached while ${step} (${code})`);
  }
}

/** `realm:username:`, the entry's id, with colons inside either part escaped as splunkd does. */
export function entryId(realm: string, username: string): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  return `${esc(realm)}:${esc(username)}:`;
}

function splunkdMessage(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    const xml = /<msg[^>]*>([\s\S]*?)<\/msg>/.exec(body)?.[1];
    return xml === undefined ? undefined : oneLine(xml);
  }
  const m = messagesSchema.safeParse(parsed, PARSED_RARELY);
  return m.success ? oneLine(m.data.messages.map((x) => x.text).join(' ')) : undefined;
}

/** The media type only (no parameters), printable, for messages. */
function describeType(contentType: string | undefined): string {
  const type = contentType
    ?.split(';')[0]
    ?.trim()
    .replace(/[^\x21-\x7e]/g, '?')
    .slice(0, 60);
  return type ? type : 'no content type';
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, MAX_MESSAGE);
}
