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
    if (secret && secret.length >= 6 && secret !== MASK) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(MASK);
    return out
      .replace(/\b(Bearer|Splunk|Basic)\s+[A-Za-z0-9._~+/=:-]{6,}/g, `$1 ${MASK}`)
      .replace(/(\/\/[^/\s:@]+:)[^@\s/]+@/g, `$1${MASK}@`);
  }
}
