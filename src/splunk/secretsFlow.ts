import { z } from 'zod';
import { CodedError } from '../errors/codedError.js';
import type { Logger } from '../logging/logger.js';
import { maskProxyPassword, parseProxyUrl, SECRET_MASK, withProxyPassword } from '../net/proxyUrl.js';
import type { InputSettings } from '../settings/settings.js';
import { SCHEME } from './inputXml.js';
import { PARSED_RARELY } from '../model/parseOptions.js';

/** The app whose namespace holds the entries (servicesNS/nobody/<app>/storage/passwords). */
export const APP_NAME = 'TA-asana-audit-log';
/**
 * One entry per input: realm `TA-asana-audit-log`, username the input's name, password a JSON
 * object of the input's secrets. One entry means a secret that goes away (proxy credentials
 * removed) cannot linger in a second one.
 */
export const CREDENTIAL_REALM = APP_NAME;

export const storedSecretsSchema = z.object({
  token: z.string().min(1).optional(),
  proxy_password: z.string().min(1).optional(),
});
export type StoredSecrets = z.infer<typeof storedSecretsSchema>;

/** What the flow needs of splunkd; SplunkCredentialStore provides it. */
export interface SecretBackend {
  read(realm: string, username: string): Promise<string | undefined>;
  write(realm: string, username: string, password: string): Promise<'created' | 'updated'>;
  editInput(scheme: string, name: string, fields: Record<string, string>): Promise<void>;
}

export type SecretState = { kind: 'absent' } | { kind: 'masked' } | { kind: 'plain'; value: string };

export interface SecretsPlan {
  token: SecretState;
  proxyPassword: SecretState;
}

export class SecretsError extends CodedError<'secret_not_stored' | 'secret_unreadable' | 'secret_not_confirmed'> {}

/** Which secrets of the settings are in plain text, masked or absent. */
export function planSecrets(settings: Pick<InputSettings, 'token' | 'proxyUrl'>): SecretsPlan {
  const state = (v: string | undefined): SecretState =>
    v === undefined || v === '' ? { kind: 'absent' } : v === SECRET_MASK ? { kind: 'masked' } : { kind: 'plain', value: v };
  return {
    token: state(settings.token),
    proxyPassword: state(settings.proxyUrl === undefined ? undefined : parseProxyUrl(settings.proxyUrl).password),
  };
}

/** The values of every secret this input registers with a redactor before anything is logged. */
export function plainSecrets(plan: SecretsPlan): string[] {
  return [plan.token, plan.proxyPassword].flatMap((s) => (s.kind === 'plain' ? [s.value] : []));
}

/**
 * Puts real secrets in place of masks, from splunkd's credential store. With `persist` (a run),
 * secrets found in plain text are stored first and then replaced by the mask in the input's
 * settings; if any step fails the error names it and nothing is written anywhere else.
 * Validation passes `persist: false`: it reads, never writes.
 */
export async function resolveSecrets(settings: InputSettings, backend: SecretBackend, opts: { persist: boolean; logger?: Logger }): Promise<InputSettings> {
  const plan = planSecrets(settings);
  const masked = plan.token.kind === 'masked' || plan.proxyPassword.kind === 'masked';
  const plain = plan.token.kind === 'plain' || plan.proxyPassword.kind === 'plain';
  if (!masked && !(plain && opts.persist)) return settings;

  const stored = masked ? await readStored(backend, settings.name) : {};
  const secrets: StoredSecrets = {
    token: plan.token.kind === 'plain' ? plan.token.value : plan.token.kind === 'masked' ? stored.token : undefined,
    proxy_password: plan.proxyPassword.kind === 'plain' ? plan.proxyPassword.value : plan.proxyPassword.kind === 'masked' ? stored.proxy_password : undefined,
  };
  if (plan.token.kind === 'masked' && secrets.token === undefined) {
    throw new SecretsError(
      'secret_not_stored',
      `the input's token is masked (${SECRET_MASK}) but Splunk's credential store holds no token for input "${settings.name}": enter the service account token again in the input`,
    );
  }
  if (plan.proxyPassword.kind === 'masked' && secrets.proxy_password === undefined) {
    throw new SecretsError(
      'secret_not_stored',
      `the proxy password in proxy_url is masked (${SECRET_MASK}) but Splunk's credential store holds none for input "${settings.name}": enter proxy_url with its password again`,
    );
  }

  if (plain && opts.persist) {
    await backend.write(CREDENTIAL_REALM, settings.name, JSON.stringify(secrets));
    // A 2xx is not proof: a single sign-on page or a proxy answers 200 text/html and stores
    // nothing. Masking then would lose the only copy of the token, so the entry is read back first.
    await confirmStored(backend, settings.name, secrets);
    const fields: Record<string, string> = {};
    if (plan.token.kind === 'plain') fields.token = SECRET_MASK;
    if (plan.proxyPassword.kind === 'plain' && settings.proxyUrl !== undefined) fields.proxy_url = maskProxyPassword(settings.proxyUrl);
    await backend.editInput(SCHEME, settings.name, fields);
    opts.logger?.info(`moved ${Object.keys(fields).join(' and ')} into Splunk's credential store; the input's settings now show ${SECRET_MASK}`, {
      action: 'secrets_stored',
    });
  }

  return {
    ...settings,
    token: secrets.token ?? settings.token,
    proxyUrl:
      settings.proxyUrl !== undefined && secrets.proxy_password !== undefined
        ? withProxyPassword(settings.proxyUrl, secrets.proxy_password)
        : settings.proxyUrl,
  };
}

async function readStored(backend: SecretBackend, name: string): Promise<StoredSecrets> {
  const text = await backend.read(CREDENTIAL_REALM, name);
  if (text === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = storedSecretsSchema.safeParse(json, PARSED_RARELY);
  if (!parsed.success) {
    throw new SecretsError(
      'secret_unreadable',
      `the credential store entry ${CREDENTIAL_REALM}:${name} is not one this add-on wrote: enter the token (and proxy password) again in the input to replace it`,
    );
  }
  return parsed.data;
}

/** Throws secret_not_confirmed unless the entry just written reads back as exactly `secrets`. */
async function confirmStored(backend: SecretBackend, name: string, secrets: StoredSecrets): Promise<void> {
  let found: string;
  try {
    const text = await backend.read(CREDENTIAL_REALM, name);
    if (text === undefined) found = 'found none';
    else found = sameSecrets(text, secrets) ? '' : 'holds other secrets than the ones written';
  } catch (e) {
    found = `failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (found === '') return;
  throw new SecretsError(
    'secret_not_confirmed',
    `storing the secrets of input "${name}" in Splunk's credential store could not be confirmed: splunkd said it stored them, but reading the entry back ${found}; the input was left unmasked (its settings keep the secret), so nothing is lost. Make sure server_uri reaches splunkd's management port itself, not a single sign-on page or a proxy`,
  );
}

function sameSecrets(text: string, secrets: StoredSecrets): boolean {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return false;
  }
  const parsed = storedSecretsSchema.strict().safeParse(json, PARSED_RARELY);
  return parsed.success && parsed.data.token === secrets.token && parsed.data.proxy_password === secrets.proxy_password;
}
