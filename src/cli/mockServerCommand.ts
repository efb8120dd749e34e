import fs from 'node:fs';
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_MOCK_TOKEN, DEFAULT_WORKSPACE_GID } from '../mock/mockDefaults.js';
import type { MockAsana } from '../mock/server.js';

/** Seams for tests; the defaults are the real process. */
export interface MockServerCommandIo {
  out?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Called once the server listens (tests use it to reach and close the server). */
  started?: (mock: MockAsana) => void;
  /** Whether SIGINT/SIGTERM stop the server (default true). */
  handleSignals?: boolean;
  /** How a person runs this program, for the command it prints (default: the launcher beside the bundle). */
  program?: string;
}

/**
 * The launcher beside the running bundle, by its absolute path (it works pasted anywhere: a
 * clone, an app folder, an npm install), or the npm command's name when run some other way.
 */
function howToRunThisProgram(): string {
  const bundle = process.argv[1];
  const launcher = bundle ? path.join(path.dirname(bundle), process.platform === 'win32' ? 'asana_audit_log.cmd' : 'asana_audit_log.sh') : '';
  return bundle && fs.existsSync(launcher) ? shellWord(launcher) : 'asana-audit-log';
}

/** Quoted for a POSIX shell when it needs to be. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

interface MockServerFlags {
  port: number;
  host: string;
  events: number;
  rate?: number;
  latency?: number;
  rateLimit?: number;
  errorRate?: number;
  offsetTtl?: number;
  lateShare?: number;
  lateDelay: number;
  token?: string;
  workspace: string;
}

const wholeNumber = (what: string) => (text: string) => {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError(`${what} must be a whole number`);
  return Number(text);
};
const positiveNumber = (what: string) => (text: string) => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${what} must be a number of at least 0`);
  return n;
};
const probability = (what: string) => (text: string) => {
  const n = positiveNumber(what)(text);
  if (n > 1) throw new InvalidArgumentError(`${what} must be from 0 to 1`);
  return n;
};

/** Adds `mock-server`: the fake Asana Audit Log API, for demos and manual testing. */
export function registerMockServerCommand(program: Command, io: MockServerCommandIo = {}): void {
  program
    .command('mock-server')
    .description('Run a fake Asana Audit Log API on this machine (for demos and tests)')
    .option('--port <port>', 'port to listen on (0 = any free port)', wholeNumber('port'), 8910)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--events <n>', 'events generated at start, over the last 7 days', wholeNumber('events'), 5000)
    .option('--rate <eps>', 'new events per second while running', positiveNumber('rate'))
    .option('--latency <ms>', 'delay added to every response', wholeNumber('latency'))
    .option('--rate-limit <perMinute>', 'requests per minute per token before 429', wholeNumber('rate limit'))
    .option('--error-rate <p>', 'probability (0..1) of a 5xx answer', probability('error rate'))
    .option('--offset-ttl <ms>', 'page offsets expire after this many milliseconds', wholeNumber('offset TTL'))
    .option('--late-share <p>', 'share (0..1) of new events that show up only --late-delay after their created_at', probability('late share'))
    .option('--late-delay <ms>', 'how late those events show up', wholeNumber('late delay'), 40_000)
    .option('--token <token>', `accepted bearer token (default: env MOCK_ASANA_TOKEN, else ${DEFAULT_MOCK_TOKEN})`)
    .option('--workspace <gid>', 'workspace gid', DEFAULT_WORKSPACE_GID)
    .action(async (flags: MockServerFlags) => {
      const env = io.env ?? process.env;
      const token = flags.token ?? env.MOCK_ASANA_TOKEN ?? DEFAULT_MOCK_TOKEN;
      // Loaded here, not with the command line: only this command runs the mock.
      const { startMockAsana } = await import('../mock/server.js');
      const mock = await startMockAsana({
        host: flags.host,
        port: flags.port,
        workspaceGid: flags.workspace,
        tokens: { valid: [token] },
        initialEvents: flags.events,
        eventsPerSecond: flags.rate,
        latencyMs: flags.latency,
        rateLimitPerMinute: flags.rateLimit,
        serverErrorRate: flags.errorRate,
        offsetTtlMs: flags.offsetTtl,
        ...(flags.lateShare ? { lateEvents: { share: flags.lateShare, delayMs: flags.lateDelay } } : {}),
      });
      if (io.handleSignals ?? true) {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void mock.close();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }
      // A token from the environment may be a real-looking secret: it is named, not printed. The
      // default and a --token one (already on the command line) are printed to be pasted.
      const fromEnv = flags.token === undefined && env.MOCK_ASANA_TOKEN !== undefined;
      const shownToken = fromEnv ? '"$MOCK_ASANA_TOKEN"' : shellWord(token);
      const out = io.out ?? ((line) => process.stdout.write(`${line}\n`));
      // Printed last: whoever reads these lines may signal us at once.
      out(`Mock Asana Audit Log API at ${mock.url} workspace_gid=${mock.workspaceGid} token=${fromEnv ? '(from MOCK_ASANA_TOKEN)' : token}`);
      out('Collect from it (in another terminal; Ctrl-C here stops the mock):');
      out(
        `  ASANA_TOKEN=${shownToken} ${io.program ?? howToRunThisProgram()} poll --base-url ${mock.url} --workspace ${mock.workspaceGid} --checkpoint mock.checkpoint > mock-events.ndjson`,
      );
      io.started?.(mock);
    });
}
