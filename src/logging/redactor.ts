const MASK = '********';

/**
 * Removes secrets from text before it leaves the process. Known secret values are replaced
 * wherever they appear; header-shaped credentials are masked even when their value was never
 * registered (for example a token echoed back inside an error from a library).
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    // Very short values would mask ordinary words; real tokens and keys are long.
    if (secret && secret.length >= 6 && secret !== MASK) for (const form of secretForms(secret)) this.secrets.add(form);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(MASK);
    return out.replace(/\b(Bearer|Splunk|Basic)\s+[A-Za-z0-9._~+/=:-]{6,}/g, `$1 ${MASK}`).replace(/(\/\/[^/\s:@]+:)[^@\s/]+@/g, `$1${MASK}@`);
  }
}

/** `text` with every form of `secret` (see secretForms) replaced by `mask`. */
export function maskSecret(text: string, secret: string, mask: string): string {
  let out = text;
  for (const form of secretForms(secret)) out = out.split(form).join(mask);
  return out;
}

/**
 * The forms a secret takes when a peer echoes it back: as is; JSON-escaped (`"` and `\` escaped,
 * also with `/` as `\/`); with its punctuation, or every character, as `\uXXXX` in lower- and
 * upper-case hex, as some serializers write it; URL-encoded (percent hex in upper and lower case,
 * and as a form field with `+` for a space); and base64 (standard, unpadded and URL-safe), as
 * it is when a peer echoes a credential it decoded. Longest first, so no form is cut by a shorter
 * one inside it.
 */
export function secretForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const url = encodeURIComponent(secret);
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  const forms = new Set([
    secret,
    json,
    json.replace(/\//g, '\\/'),
    ...unicodeEscaped(secret, /[^A-Za-z0-9]/g),
    ...unicodeEscaped(secret, /[\s\S]/g),
    url,
    url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    new URLSearchParams({ s: secret }).toString().slice(2),
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(secret, 'utf8').toString('base64url'),
  ]);
  return [...forms].sort((a, b) => b.length - a.length);
}

/** The secret with each UTF-16 unit that `which` matches written as `\uXXXX`, in lower- and upper-case hex. */
function unicodeEscaped(secret: string, which: RegExp): string[] {
  const lower = secret.replace(which, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [lower, lower.replace(/\\u([0-9a-f]{4})/g, (_, hex: string) => `\\u${hex.toUpperCase()}`)];
}
