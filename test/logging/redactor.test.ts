import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Redactor, secretForms } from '../../src/logging/redactor.js';

describe('Redactor', () => {
  it('masks a secret raw, JSON-escaped and URL-encoded', () => {
    const secret = 'tok"en\\with/odd+chars é';
    const r = new Redactor();
    r.add(secret);
    const echoed = `a ${secret} b ${JSON.stringify(secret)} c ${encodeURIComponent(secret)} d ${new URLSearchParams({ t: secret })}`;
    const out = r.redact(echoed);
    for (const form of secretForms(secret)) assert.equal(out.includes(form), false, form);
  });

  it('leaves no echoed form of any secret, whatever its characters', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6, maxLength: 40 }), fc.string({ maxLength: 20 }), (secret, around) => {
        fc.pre(!secret.includes('*') && !around.includes('*'));
        const r = new Redactor();
        r.add(secret);
        const forms = secretForms(secret);
        const out = r.redact(forms.map((f) => `${around}${f}${around}`).join(' '));
        return forms.every((f) => !out.includes(f));
      }),
    );
  });
});
