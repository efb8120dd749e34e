import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { formatLine, ProcessLogger } from '../../src/logging/processLogger.js';
import { Redactor } from '../../src/logging/redactor.js';

function capture() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  return { out, text: () => text };
}

describe('ProcessLogger', () => {
  it('starts every stderr line with its level and names the input', () => {
    const err = capture();
    const logger = new ProcessLogger({ level: 'DEBUG', redactor: new Redactor(), stderr: err.out }).forInput('acme');
    logger.debug('d');
    logger.info('i', { n: 1 });
    logger.warn('w');
    logger.error('e', { code: 'unauthorized' });
    assert.equal(err.text(), 'DEBUG input=acme d\nINFO input=acme i n=1\nWARN input=acme w\nERROR input=acme e code=unauthorized\n');
  });

  it('drops lines below its level', () => {
    const err = capture();
    const logger = new ProcessLogger({ level: 'WARN', redactor: new Redactor(), stderr: err.out });
    logger.info('quiet');
    logger.warn('loud');
    assert.equal(err.text(), 'WARN loud\n');
  });

  it('folds multi-line messages such as stack traces onto one line', () => {
    assert.equal(formatLine('boom\n    at a (x.js:1)\r\n    at b', undefined, 'acme'), 'input=acme boom | at a (x.js:1) | at b');
  });

  it('quotes values that hold spaces so the line stays key=value', () => {
    assert.equal(formatLine('m', { resume_at: 'the oldest event', empty: '' }, undefined), 'm resume_at="the oldest event" empty=""');
  });

  it('masks registered secrets and credential-shaped text at every level, in stderr and the file', async () => {
    const err = capture();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'log-')), 'ta_asana_audit_log.log');
    const redactor = new Redactor();
    redactor.add('canary-token-123456');
    const logger = new ProcessLogger({ level: 'DEBUG', redactor, stderr: err.out, file });
    logger.debug('sent Authorization: Bearer canary-token-123456');
    logger.error('proxy http://user:pa55word@proxy:3128 said no', { header: 'Splunk sessionkey-abcdef' });
    await logger.close();
    const all = err.text() + fs.readFileSync(file, 'utf8');
    for (const secret of ['canary-token-123456', 'pa55word', 'sessionkey-abcdef']) assert.ok(!all.includes(secret), secret);
    assert.match(fs.readFileSync(file, 'utf8'), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} [+-]\d{4} DEBUG sent Authorization: Bearer \*{8}$/m);
  });

  it('masks a JSON-escaped secret in a field value before quoting escapes it a second time', () => {
    const err = capture();
    const secret = 'tok"en\\with-quote-5b7d9f';
    const redactor = new Redactor();
    redactor.add(secret);
    const logger = new ProcessLogger({ level: 'DEBUG', redactor, stderr: err.out });
    logger.warn('retrying', { cause: `Asana said: "bad token ${JSON.stringify(secret).slice(1, -1)}"` });
    assert.equal(err.text(), 'WARN retrying cause="Asana said: \\"bad token ********\\""\n');
  });
});
