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

/**
 * The forms a secret takes when a peer echoes it back: as is, JSON-escaped (`"` and `\` escaped,
 * also with `/` as `\/`), and URL-encoded (percent hex in upper and lower case, and as a form
 * field with `+` for a space). Longest first, so no form is cut by a shorter one inside it.
 */
export function secretForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const url = encodeURIComponent(secret);
  const forms = new Set([
    secret,
    json,
    json.replace(/\//g, '\\/'),
    url,
    url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    new URLSearchParams({ s: secret }).toString().slice(2),
  ]);
  return [...forms].sort((a, b) => b.length - a.length);
}
