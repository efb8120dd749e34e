import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Redactor } from '../../src/logging/redactor.js';

/** The forms a peer may echo a secret back in. */
function echoedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const url = encodeURIComponent(secret);
  return [
    secret,
    json,
    json.replace(/\//g, '\\/'),
    url,
    url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    new URLSearchParams({ s: secret }).toString().slice(2),
    ...escapedUnits(secret, (c) => !/[A-Za-z0-9]/.test(c)),
    ...escapedUnits(secret, () => true),
    btoa(String.fromCharCode(...new TextEncoder().encode(secret))),
    btoa(String.fromCharCode(...new TextEncoder().encode(secret))).replace(/=/g, ''),
    btoa(String.fromCharCode(...new TextEncoder().encode(secret)))
      .replace(/=/g, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_'),
  ];
}

/** The secret with the UTF-16 units `picked` chooses written as a JSON `\uXXXX` escape, in lower- and upper-case hex. */
function escapedUnits(secret: string, picked: (unit: string) => boolean): string[] {
  const units = Array.from({ length: secret.length }, (_, i) => secret.charAt(i));
  const hex = (u: string) => u.charCodeAt(0).toString(16).padStart(4, '0');
  return [units.map((u) => (picked(u) ? `\\u${hex(u)}` : u)).join(''), units.map((u) => (picked(u) ? `\\u${hex(u).toUpperCase()}` : u)).join('')];
}

describe('Redactor', () => {
  it('masks a secret raw, JSON-escaped, \\u-escaped, URL-encoded and base64-encoded', () => {
    const secret = 'tok"en\\with/odd+chars é';
    const r = new Redactor();
    r.add(secret);
    const out = r.redact(
      echoedForms(secret)
        .map((f) => `[${f}]`)
        .join(' '),
    );
    for (const form of echoedForms(secret)) assert.equal(out.includes(form), false, form);
  });

  it('leaves no echoed form of any secret, whatever its characters (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6, maxLength: 40 }), fc.string({ maxLength: 20 }), (secret, around) => {
        fc.pre(!secret.includes('*') && !around.includes('*'));
        const r = new Redactor();
        r.add(secret);
        const forms = echoedForms(secret);
        const out = r.redact(forms.map((f) => `${around}${f}${around}`).join(' '));
        return forms.every((f) => !out.includes(f));
      }),
    );
  });
});
