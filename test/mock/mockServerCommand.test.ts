import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { registerMockServerCommand } from '../../src/cli/mockServerCommand.js';
import type { MockAsana } from '../../src/mock/server.js';
import { apiGet } from './helpers.js';

describe('mock-server command', () => {
  let mock: MockAsana | undefined;
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });

  const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const lines: string[] = [];
    const program = new Command().exitOverride();
    registerMockServerCommand(program, { out: (l) => lines.push(l), env, handleSignals: false, started: (m) => (mock = m) });
    await program.parseAsync(['node', 'cli', 'mock-server', ...args]);
    return lines;
  };

  it('serves the API with the token from MOCK_ASANA_TOKEN and prints the URL and workspace, naming that token but never printing it', async () => {
    const lines = await run(['--port', '0', '--events', '25', '--workspace', '42'], { MOCK_ASANA_TOKEN: 's3cret-from-env' });
    assert.ok(mock);
    assert.ok(lines[0]?.includes(mock.url) && lines[0].includes('workspace_gid=42'));
    assert.match(lines[0] ?? '', /token=\(from MOCK_ASANA_TOKEN\)$/);
    assert.match(lines.join('\n'), /ASANA_TOKEN="\$MOCK_ASANA_TOKEN" \S+ poll --base-url /);
    assert.ok(!lines.join('\n').includes('s3cret-from-env'));
    assert.equal((await apiGet(mock, { limit: '100' }, { token: 's3cret-from-env' })).json.data.length, 25);
    assert.equal((await apiGet(mock, { limit: '1' })).status, 401, 'the default token is replaced, not added');
  });

  it('prints its token and a poll command ready to paste, with --base-url', async () => {
    const lines = await run(['--port', '0', '--events', '5'], {});
    assert.ok(mock);
    assert.match(lines[0] ?? '', / token=mock-token$/);
    const command = lines.find((l) => l.includes(' poll '))?.trim();
    assert.equal(
      command?.replace(/ \S+ poll /, ' PROGRAM poll '),
      `ASANA_TOKEN=mock-token PROGRAM poll --base-url ${mock.url} --workspace 1200000000000001 --checkpoint mock.checkpoint > mock-events.ndjson`,
    );
  });

  it('passes the fault options through to the server', async () => {
    await run(['--port', '0', '--events', '5', '--rate-limit', '1', '--token', 'flag-token']);
    assert.ok(mock);
    assert.equal((await apiGet(mock, { limit: '1' }, { token: 'flag-token' })).status, 200);
    const limited = await apiGet(mock, { limit: '1' }, { token: 'flag-token' });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
  });

  it('rejects option values that are not numbers', async () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
    registerMockServerCommand(program, { handleSignals: false, started: (m) => (mock = m) });
    await assert.rejects(program.parseAsync(['node', 'cli', 'mock-server', '--port', 'eighty']), /port must be a whole number/);
    await assert.rejects(program.parseAsync(['node', 'cli', 'mock-server', '--error-rate', '2']), /error rate/);
  });

  it('runs until SIGTERM, then exits on its own', async () => {
    const moduleUrl = pathToFileURL(resolve(process.cwd(), 'build/src/cli/mockServerCommand.js')).href;
    const script = `
      import { Command } from 'commander';
      import { registerMockServerCommand } from ${JSON.stringify(moduleUrl)};
      const program = new Command();
      registerMockServerCommand(program);
      await program.parseAsync(['node', 'cli', 'mock-server', '--port', '0', '--events', '10', '--rate', '50']);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    assert.match(chunk.toString(), /^Mock Asana Audit Log API at http:\/\/127\.0\.0\.1:\d+\/api\/1\.0 workspace_gid=1200000000000001 token=mock-token\n/);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});
