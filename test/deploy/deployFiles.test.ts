import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Command } from 'commander';
import { registerPollCommand } from '../../src/cli/pollCommand.js';
import { NOTICES_FILE } from '../../tools/thirdPartyNotices.js';

/** The long flags `poll` accepts, read from the command itself so the samples cannot drift from it. */
function pollFlags(): Set<string> {
  const program = new Command();
  registerPollCommand(program, { stdout: process.stdout, stderr: process.stderr, env: {}, setExitCode: () => {} });
  const poll = program.commands.find((c) => c.name() === 'poll');
  assert.ok(poll);
  return new Set(poll.options.map((o) => o.long).filter((l): l is string => typeof l === 'string'));
}

const flagsIn = (text: string) => [...text.matchAll(/(?<![\w-])(--[a-z][a-z-]*)/g)].map((m) => m[1] as string);

describe('the service samples in deploy/', () => {
  const known = pollFlags();

  it('the systemd unit runs poll with flags that exist, tokens from credential files only', () => {
    const unit = fs.readFileSync('deploy/asana-audit-log.service', 'utf8');
    const exec = /^ExecStart=((?:.*\\\n)*.*)/m.exec(unit)?.[1] ?? '';
    assert.match(exec, /ta_asana_audit_log\.cjs poll /);
    const used = flagsIn(exec);
    assert.ok(used.includes('--output') && used.includes('--follow') && used.includes('--checkpoint'));
    for (const flag of used) assert.ok(known.has(flag), `${flag} is not a poll flag`);
    assert.match(exec, /--token-file %d\/asana-token/);
    assert.match(exec, /--hec-token-file %d\/hec-token/);
    assert.match(unit, /^LoadCredential=asana-token:/m);
    assert.match(unit, /^KillSignal=SIGTERM$/m);
  });

  it('the Dockerfile runs the bundle as an unprivileged user with flags that exist', () => {
    const docker = fs.readFileSync('deploy/Dockerfile', 'utf8');
    const entry = /^ENTRYPOINT (\[.*\])$/m.exec(docker)?.[1];
    assert.ok(entry);
    const argv = JSON.parse(entry) as string[];
    assert.deepEqual(argv.slice(0, 3), ['node', '/opt/asana-audit-log/ta_asana_audit_log.cjs', 'poll']);
    for (const flag of argv.filter((a) => a.startsWith('--'))) assert.ok(known.has(flag), `${flag} is not a poll flag`);
    for (const flag of flagsIn(
      docker
        .split('\n')
        .filter((l) => l.startsWith('#'))
        .join('\n'),
    )) {
      if (!['--name', '--restart', '--rm'].includes(flag) && !flag.startsWith('--no-'))
        assert.ok(known.has(flag), `${flag} in the usage comment is not a poll flag`);
    }
    assert.match(docker, /^USER node$/m);
    assert.match(docker, /COPY --from=build \/src\/bin\/ta_asana_audit_log\.cjs /);
  });

  it('the Dockerfile puts the licence notices of the bundled npm packages beside the bundle', () => {
    const docker = fs.readFileSync('deploy/Dockerfile', 'utf8');
    assert.match(docker, new RegExp(`^COPY --from=build .*/src/${NOTICES_FILE.replace(/\./g, '\\.')} .*/opt/asana-audit-log/$`, 'm'));
  });
});
