import fs from 'node:fs';
import path from 'node:path';
import type { LogFields, Logger, LogLevel } from './logger.js';
import { LOG_LEVELS } from './logger.js';
import type { Redactor } from './redactor.js';

export const LOG_FILE_NAME = 'ta_asana_audit_log.log';
const MAX_FILE_BYTES = 25 * 1024 * 1024;
const MAX_FILES = 5;

export interface ProcessLoggerOptions {
  level: LogLevel;
  /** Added to every line so splunkd.log readers know which input spoke. */
  input?: string;
  redactor: Redactor;
  stderr?: NodeJS.WritableStream;
  /** Rotating log file; omit to log to stderr only. */
  file?: string;
}

/** The add-on's log file under Splunk, or undefined outside Splunk (or when it can't be made). */
export function defaultLogFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.ASANA_AUDIT_LOG_FILE) return env.ASANA_AUDIT_LOG_FILE;
  if (!env.SPLUNK_HOME) return undefined;
  return path.join(env.SPLUNK_HOME, 'var', 'log', 'splunk', LOG_FILE_NAME);
}

function formatValue(v: string | number | boolean | null): string {
  const s = String(v);
  return /[\s"=]/.test(s) || s === '' ? JSON.stringify(s) : s;
}

/** `message key=value ...` on one line: stack traces and multi-line texts are folded. */
export function formatLine(message: string, fields: LogFields | undefined, input: string | undefined): string {
  const parts: string[] = [];
  if (input !== undefined) parts.push(`input=${formatValue(input)}`);
  parts.push(message);
  for (const [k, v] of Object.entries(fields ?? {})) {
    if (v !== undefined) parts.push(`${k}=${formatValue(v)}`);
  }
  return parts.join(' ').replace(/\s*[\r\n]+\s*/g, ' | ');
}

/**
 * Logs to stderr (which splunkd copies into splunkd.log at the level the line starts with)
 * and to a rotating file that Splunk indexes into _internal. Every line passes the redactor.
 */
export class ProcessLogger implements Logger {
  private readonly threshold: number;
  private readonly stderr: NodeJS.WritableStream;
  private fileLogger: Promise<import('winston').Logger | undefined> | undefined;

  constructor(private readonly opts: ProcessLoggerOptions) {
    this.threshold = LOG_LEVELS.indexOf(opts.level);
    this.stderr = opts.stderr ?? process.stderr;
    if (opts.file) this.fileLogger = openFileLogger(opts.file, this.stderr);
  }

  /** A logger for the same destinations that names another input. */
  forInput(input: string, level: LogLevel = this.opts.level): ProcessLogger {
    const child = new ProcessLogger({ ...this.opts, input, level, file: undefined });
    child.fileLogger = this.fileLogger;
    return child;
  }

  debug(message: string, fields?: LogFields): void {
    this.log('DEBUG', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log('INFO', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log('WARN', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('ERROR', message, fields);
  }

  private log(level: LogLevel, message: string, fields?: LogFields): void {
    if (LOG_LEVELS.indexOf(level) < this.threshold) return;
    // Values are redacted before formatting quotes and escapes them (an escaped form of an escaped
    // secret is no form the redactor knows), and the whole line after, for what spans fields.
    const { redactor } = this.opts;
    const clean = fields && Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? redactor.redact(v) : v]));
    const line = redactor.redact(formatLine(redactor.redact(message), clean, this.opts.input));
    this.stderr.write(`${level} ${line}\n`);
    void this.fileLogger?.then((w) => w?.log({ level: level.toLowerCase(), message: line }));
  }

  /** Waits until the file has every line: the process may exit right after. */
  async close(): Promise<void> {
    const w = await this.fileLogger;
    if (!w) return;
    await new Promise<void>((resolve) => {
      w.on('finish', () => resolve());
      w.end();
    });
  }
}

async function openFileLogger(file: string, stderr: NodeJS.WritableStream) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const winston = (await import('winston')).default;
    return winston.createLogger({
      levels: { error: 0, warn: 1, info: 2, debug: 3 },
      level: 'debug',
      format: winston.format.printf((info) => `${timestamp()} ${String(info.level).toUpperCase()} ${String(info.message)}`),
      transports: [new winston.transports.File({ filename: file, maxsize: MAX_FILE_BYTES, maxFiles: MAX_FILES, tailable: true })],
    });
  } catch (e) {
    stderr.write(`WARN cannot open the log file ${file}: ${(e as Error).message}; logging to splunkd.log only\n`);
    return undefined;
  }
}

function timestamp(): string {
  const d = new Date();
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)} ${tzOffset(d)}`;
}

function tzOffset(d: Date): string {
  const m = -d.getTimezoneOffset();
  const sign = m >= 0 ? '+' : '-';
  const a = Math.abs(m);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}${String(a % 60).padStart(2, '0')}`;
}
