import assert from 'node:assert/strict';
import { parseInputSettings, type InputSettings } from '../../src/settings/settings.js';
import { SplunkCredentialStore, SplunkdError } from '../../src/splunk/credentialStore.js';
import { CREDENTIAL_REALM, planSecrets, resolveSecrets, SecretsError } from '../../src/splunk/secretsFlow.js';
import { splunkdTrust } from '../../src/splunk/splunkdTrust.js';
import { startMockSplunkd, type MockSplunkd } from '../../src/mock/splunkd.js';

const KEY = 'sk-flow-5d2e8b1a90c4';
const TOKEN = 'flow-token-0a1b2c3d4e';
const NEW_TOKEN = 'flow-token-ffeeddccbb';
const MASK = '********';

const settings = (params: Record<string, string>): InputSettings => parseInputSettings('acme', { workspace_gid: '123', ...params });

describe('the secrets flow against a mock splunkd', () => {
  let splunkd: MockSplunkd;
  let backend: SplunkCredentialStore;

  beforeEach(async () => {
    splunkd = await startMockSplunkd({ sessionKey: KEY });
    backend = new SplunkCredentialStore({ serverUri: splunkd.uri, sessionKey: KEY, app: 'TA-asana-audit-log', trust: splunkdTrust({}) });
  });
  afterEach(() => splunkd.close());

  const stored = () => [...splunkd.entries.values()].map((e) => ({ ...e, password: JSON.parse(e.password) }));

  it('stores a plaintext token, masks it in the input, and runs with the real token', async () => {
    const resolved = await resolveSecrets(settings({ token: TOKEN }), backend, { persist: true });
    assert.equal(resolved.token, TOKEN);
    assert.deepEqual(stored(), [{ realm: CREDENTIAL_REALM, name: 'acme', password: { token: TOKEN } }]);
    assert.deepEqual(splunkd.inputEdits, [{ app: 'TA-asana-audit-log', name: 'acme', fields: { token: MASK } }]);
    assert.deepEqual(splunkd.calls, ['create', 'read', 'edit'], 'stored and read back before the input is masked');
  });

  it('reads the token from the store when the input shows the mask', async () => {
    await resolveSecrets(settings({ token: TOKEN }), backend, { persist: true });
    splunkd.calls.length = 0;
    const resolved = await resolveSecrets(settings({ token: MASK }), backend, { persist: true });
    assert.equal(resolved.token, TOKEN);
    assert.deepEqual(splunkd.calls, ['read']);
  });

  it('replaces the stored token when an edited input has a new plaintext one, keeping one entry', async () => {
    await resolveSecrets(settings({ token: TOKEN }), backend, { persist: true });
    assert.equal((await resolveSecrets(settings({ token: NEW_TOKEN }), backend, { persist: true })).token, NEW_TOKEN);
    assert.deepEqual(stored(), [{ realm: CREDENTIAL_REALM, name: 'acme', password: { token: NEW_TOKEN } }]);
    assert.equal((await resolveSecrets(settings({ token: MASK }), backend, { persist: true })).token, NEW_TOKEN);
  });

  it('stores proxy credentials in the same entry and masks only the password in proxy_url', async () => {
    const proxyUrl = 'http://svc:pr0xy%40pw@proxy.corp:3128';
    const resolved = await resolveSecrets(settings({ token: TOKEN, proxy_url: proxyUrl }), backend, { persist: true });
    assert.equal(resolved.proxyUrl, proxyUrl);
    assert.deepEqual(stored(), [{ realm: CREDENTIAL_REALM, name: 'acme', password: { token: TOKEN, proxy_password: 'pr0xy@pw' } }]);
    assert.deepEqual(splunkd.inputEdits[0]?.fields, { token: MASK, proxy_url: `http://svc:${MASK}@proxy.corp:3128` });
    const again = await resolveSecrets(settings({ token: MASK, proxy_url: `http://svc:${MASK}@proxy.corp:3128` }), backend, { persist: true });
    assert.deepEqual([again.token, again.proxyUrl], [TOKEN, proxyUrl]);
  });

  it('keeps the stored proxy password when only the token is entered again', async () => {
    await resolveSecrets(settings({ token: TOKEN, proxy_url: 'http://svc:pw123456@proxy.corp:3128' }), backend, { persist: true });
    const resolved = await resolveSecrets(settings({ token: NEW_TOKEN, proxy_url: `http://svc:${MASK}@proxy.corp:3128` }), backend, { persist: true });
    assert.equal(resolved.proxyUrl, 'http://svc:pw123456@proxy.corp:3128');
    assert.deepEqual(stored()[0]?.password, { token: NEW_TOKEN, proxy_password: 'pw123456' });
    assert.deepEqual(splunkd.inputEdits.at(-1)?.fields, { token: MASK });
  });

  it('says the token must be entered again when the input is masked but the store has nothing', async () => {
    await assert.rejects(
      resolveSecrets(settings({ token: MASK }), backend, { persist: false }),
      (e: Error) => e instanceof SecretsError && e.code === 'secret_not_stored' && /enter the service account token again/.test(e.message),
    );
  });

  it('validation reads masks but never writes', async () => {
    assert.equal((await resolveSecrets(settings({ token: TOKEN }), backend, { persist: false })).token, TOKEN);
    assert.deepEqual(splunkd.calls, []);
    await resolveSecrets(settings({ token: TOKEN }), backend, { persist: true });
    splunkd.calls.length = 0;
    assert.equal((await resolveSecrets(settings({ token: MASK }), backend, { persist: false })).token, TOKEN);
    assert.deepEqual(splunkd.calls, ['read']);
  });

  it('leaves the input untouched when splunkd refuses to store, and names the step', async () => {
    splunkd.failRoute('create', 403);
    await assert.rejects(
      resolveSecrets(settings({ token: TOKEN }), backend, { persist: true }),
      (e: Error) => e instanceof SplunkdError && /creating the entry/.test(e.message),
    );
    assert.deepEqual(splunkd.inputEdits, []);
    assert.equal(splunkd.entries.size, 0);
  });

  it('takes a 200 text/html answer to the store as not stored: the input stays unmasked', async () => {
    splunkd.failRoute('create', { status: 200, contentType: 'text/html', body: '<html><body>Single sign-on</body></html>' });
    await assert.rejects(
      resolveSecrets(settings({ token: TOKEN }), backend, { persist: true }),
      (e: Error) =>
        e instanceof SecretsError && e.code === 'secret_not_confirmed' && /reading the entry back found none; the input was left unmasked/.test(e.message),
    );
    assert.deepEqual(splunkd.inputEdits, []);
    assert.deepEqual(splunkd.calls, ['create', 'read']);
  });

  it('classifies each secret as plain, masked or absent', () => {
    assert.deepEqual(planSecrets({ token: MASK, proxyUrl: 'http://u:p4ssword@h:1' }), {
      token: { kind: 'masked' },
      proxyPassword: { kind: 'plain', value: 'p4ssword' },
    });
    assert.deepEqual(planSecrets({ token: TOKEN, proxyUrl: 'http://h:1' }).proxyPassword, { kind: 'absent' });
  });
});
