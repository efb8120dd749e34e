import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCa {
  dir: string;
  /** PEM of the CA certificate (what a ca_bundle or cacert.pem holds). */
  caPem: string;
  caFile: string;
  /** Issues a server certificate signed by this CA. */
  issue(opts: { commonName: string; san?: string }): { key: string; cert: string };
}

/**
 * A throw-away certificate authority made with the openssl command line, in a temp directory:
 * nothing outside the test run is read. EC keys keep it fast.
 */
export function makeTestCa(name = 'Test CA'): TestCa {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'test-ca-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
  ssl(
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  let serial = 1;
  return {
    dir,
    caPem: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
    caFile: path.join(dir, 'ca.pem'),
    issue({ commonName, san }) {
      const n = serial++;
      ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `leaf${n}.key`);
      ssl('req', '-new', '-key', `leaf${n}.key`, '-out', `leaf${n}.csr`, '-subj', `/CN=${commonName}`);
      const ext = ['basicConstraints=CA:FALSE', 'keyUsage=digitalSignature', 'extendedKeyUsage=serverAuth'];
      if (san) ext.push(`subjectAltName=${san}`);
      fs.writeFileSync(path.join(dir, `leaf${n}.ext`), `${ext.join('\n')}\n`);
      ssl(
        'x509',
        '-req',
        '-in',
        `leaf${n}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-set_serial',
        String(1000 + n),
        '-out',
        `leaf${n}.pem`,
        '-days',
        '2',
        '-extfile',
        `leaf${n}.ext`,
      );
      return { key: fs.readFileSync(path.join(dir, `leaf${n}.key`), 'utf8'), cert: fs.readFileSync(path.join(dir, `leaf${n}.pem`), 'utf8') };
    },
  };
}

/** A server certificate for 127.0.0.1 and localhost from a fresh CA: what a self-signed test server presents. */
export function loopbackCertificate(ca: TestCa = makeTestCa()): { ca: TestCa; key: string; cert: string } {
  return { ca, ...ca.issue({ commonName: 'localhost', san: 'IP:127.0.0.1,DNS:localhost' }) };
}
