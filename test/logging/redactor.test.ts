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
  ];
}

describe('Redactor', () => {
  it('masks a secret raw, JSON-escaped and URL-encoded', () => {
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
