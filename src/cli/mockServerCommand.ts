import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_MOCK_TOKEN, DEFAULT_WORKSPACE_GID, startMockAsana, type MockAsana } from '../mock/server.js';

/** Seams for tests; the defaults are the real process. */
export interface MockServerCommandIo {
  out?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Called once the server listens (tests use it to reach and close the server). */
  started?: (mock: MockAsana) => void;
  /** Whether SIGINT/SIGTERM stop the server (default true). */
  handleSignals?: boolean;
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
      // Printed last: whoever reads the line may signal us at once.
      // The token stays out of the output: it may be a real-looking secret taken from the environment.
      (io.out ?? ((line) => process.stdout.write(`${line}\n`)))(
        `Mock Asana Audit Log API at ${mock.url} workspace_gid=${mock.workspaceGid}`,
      );
      io.started?.(mock);
    });
}
