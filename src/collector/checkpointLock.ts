import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createExclusive, readRegularFile, removeQuietly, unpredictableName } from './safeFiles.js';

/**
 * A lock held by a process on another host (a shared checkpoint volume) is taken over only when
 * its heartbeat (the lock file's modification time) is older than this. The holder refreshes it
 * every HEARTBEAT_MS.
 */
export const LOCK_LEASE_MS = 10 * 60_000;
export const HEARTBEAT_MS = 60_000;
/**
 * A takeover claim names its collector like a lock does; one whose collector no longer runs here,
 * or older than this (a collector on another host), was left by a collector that died mid-takeover.
 */
const CLAIM_ABANDONED_MS = 30_000;

/** Who holds a lock: enough to tell whether that exact process still runs. */
export interface LockHolder {
  pid: number;
  /** Process start time in clock ticks since boot (/proc/<pid>/stat field 22); '' where unknown. */
  start: string;
  /** /proc/sys/kernel/random/boot_id, or the boot time where there is none. */
  boot: string;
  host: string;
  /** Makes every lock's text unique, so a takeover can tell one lock from its successor. */
  nonce: string;
}

/**
 * One line, the pid first: versions before the holder fields read the pid from the start of the
 * file, so a downgraded collector still respects a lock this version wrote.
 */
export function encodeHolder(h: LockHolder): string {
  return `${h.pid} ${h.start || '-'} ${encodeURIComponent(h.boot)} ${encodeURIComponent(h.host)} ${h.nonce}\n`;
}

/** A lock written by an older version holds only a pid: `boot`, `host` and `start` come back undefined. */
export function decodeHolder(text: string): Partial<LockHolder> & { pid?: number } {
  const [pid, start, boot, host, nonce] = text.trim().split(/\s+/);
  const n = Number(pid);
  const out: Partial<LockHolder> = {};
  if (Number.isSafeInteger(n) && n > 0) out.pid = n;
  if (start !== undefined && start !== '-') out.start = start;
  if (boot !== undefined) out.boot = safeDecode(boot);
  if (host !== undefined) out.host = safeDecode(host);
  if (nonce !== undefined) out.nonce = nonce;
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export type Verdict = { held: true; why: string } | { held: false; why: string };

export interface HostFacts {
  host: string;
  boot: string;
  /** The start time of a running process, '' where the platform does not tell, undefined when it does not run. */
  startOf(pid: number): string | undefined;
  now(): number;
}

/**
 * Whether the lock's holder may still be running. Same host and boot: only that exact process
 * (pid and start time) holds it. Same host, another boot: nothing from before a reboot runs.
 * Another host, or a lock from an older version that names only a pid: the heartbeat decides.
 */
export function judgeLock(holder: ReturnType<typeof decodeHolder>, heartbeatMs: number, facts: HostFacts): Verdict {
  const age = facts.now() - heartbeatMs;
  const fresh = age < LOCK_LEASE_MS;
  if (holder.pid === undefined)
    return fresh ? { held: true, why: 'an unreadable lock with a fresh heartbeat' } : { held: false, why: 'an unreadable lock with an old heartbeat' };
  if (holder.host !== undefined && holder.host !== facts.host) {
    return fresh
      ? { held: true, why: `pid ${holder.pid} on host ${holder.host}, heartbeat ${Math.round(age / 1000)} s ago` }
      : { held: false, why: `the holder on host ${holder.host} missed its heartbeat for ${Math.round(age / 1000)} s` };
  }
  if (holder.boot !== undefined && holder.boot !== facts.boot) return { held: false, why: `pid ${holder.pid} ran before this host last booted` };
  const start = facts.startOf(holder.pid);
  if (start === undefined) return { held: false, why: `pid ${holder.pid} no longer runs` };
  if (holder.start !== undefined && start !== '' && start !== holder.start) return { held: false, why: `pid ${holder.pid} is now another process` };
  if (holder.start === undefined && holder.boot === undefined && !fresh)
    return { held: false, why: `an older version's lock (pid ${holder.pid}) with an old heartbeat` };
  return { held: true, why: `pid ${holder.pid}` };
}

/** This host's facts, read from the operating system. */
export function localFacts(): HostFacts {
  return { host: hostId(), boot: bootId(), startOf: processStart, now: Date.now };
}

function hostId(): string {
  for (const file of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = fs.readFileSync(file, 'utf8').trim();
      if (id) return `${os.hostname()}/${id}`;
    } catch {
      /* not on this platform */
    }
  }
  return os.hostname();
}

function bootId(): string {
  try {
    const id = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    if (id) return id;
  } catch {
    /* not Linux */
  }
  // The boot time to the minute: steady across a boot, different after the next one.
  return `boot-${Math.round((Date.now() / 1000 - os.uptime()) / 60)}`;
}

/** Field 22 of /proc/<pid>/stat, counted after the command name (which may hold spaces and parentheses). */
export function processStart(pid: number): string | undefined {
  if (fs.existsSync('/proc/self/stat')) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields from 3 on follow the last ')': field 22 is the 20th of them.
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
    } catch {
      return undefined; // Linux: no entry, no process
    }
  }
  try {
    process.kill(pid, 0);
    return '';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? '' : undefined;
  }
}

export class LockHeldError extends Error {
  constructor(readonly holder: string) {
    super(holder);
  }
}

/**
 * An input's lock file. Taking it is one link(2) of a complete lock file to the lock path, which
 * fails when any lock is there, so two collectors never both create it. A stale lock is taken
 * over under a claim file named after that lock's exact text (created O_EXCL: one winner per stale
 * lock), moved aside by rename, and checked again after the move; then the winner links its own.
 */
export class CheckpointLock {
  private heldText: string | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    readonly file: string,
    private readonly facts: HostFacts = localFacts(),
    private readonly onTakeover: (why: string) => void = () => {},
  ) {}

  /** Throws LockHeldError (naming the holder) when a live collector holds the lock. */
  acquire(): void {
    const mine = encodeHolder({
      pid: process.pid,
      start: this.facts.startOf(process.pid) ?? '',
      boot: this.facts.boot,
      host: this.facts.host,
      nonce: randomBytes(8).toString('hex'),
    });
    const tmp = unpredictableName(this.file, '.tmp');
    createExclusive(tmp, mine);
    try {
      for (let attempt = 0; attempt < 8; attempt++) {
        try {
          fs.linkSync(tmp, this.file);
          this.heldText = mine;
          this.startHeartbeat();
          this.clearAbandonedClaims();
          return;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
        const current = readRegularFile(this.file);
        if (!current) continue;
        const verdict = judgeLock(decodeHolder(current.text), current.mtimeMs, this.facts);
        if (verdict.held) throw new LockHeldError(verdict.why);
        this.takeOver(current.text, verdict.why, mine);
      }
    } finally {
      removeQuietly(tmp);
    }
    throw new LockHeldError('collectors that keep taking it over at the same moment');
  }

  /** Moves the stale lock whose text is `stale` out of the way, if this process wins the claim on it. */
  private takeOver(stale: string, why: string, mine: string): void {
    const claim = `${this.file}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
    try {
      // The claim names this collector like a lock, so a claim left by a SIGKILL is told from a live one.
      createExclusive(claim, mine);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const claimed = readRegularFile(claim);
      if (!claimed) return; // gone meanwhile: try again
      const claimant = judgeLock(decodeHolder(claimed.text), claimed.mtimeMs, this.facts);
      if (claimant.held && this.facts.now() - claimed.mtimeMs <= CLAIM_ABANDONED_MS) {
        throw new LockHeldError('another collector taking over a stale lock at this moment');
      }
      this.moveAsideIfStill(claim, claimed.text);
      return;
    }
    try {
      // Re-verify under the claim: the lock must still be the one judged stale.
      if (readRegularFile(this.file)?.text !== stale) return;
      const aside = unpredictableName(this.file, '.stale');
      try {
        fs.renameSync(this.file, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // moved by another collector: try again
        throw e;
      }
      const moved = readRegularFile(aside)?.text;
      if (moved !== stale) {
        // A new lock slipped in between the check and the move: put it back.
        try {
          fs.linkSync(aside, this.file);
        } catch {
          /* the path was taken again meanwhile; that lock stands */
        }
      } else {
        this.onTakeover(why);
      }
      removeQuietly(aside);
    } finally {
      removeQuietly(claim);
    }
  }

  /**
   * A collector killed after moving a stale lock aside but before removing its claim leaves a
   * claim no later takeover looks at (it is named after that old lock): the lock's new holder
   * clears such claims whose collector no longer runs.
   */
  private clearAbandonedClaims(): void {
    const dir = path.dirname(this.file);
    const prefix = `${path.basename(this.file)}.takeover-`;
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.startsWith(prefix) && /^[0-9a-f]{16}$/.test(n.slice(prefix.length)));
    } catch {
      return;
    }
    for (const name of names) {
      const claim = path.join(dir, name);
      try {
        const claimed = readRegularFile(claim);
        if (!claimed) continue;
        const claimant = judgeLock(decodeHolder(claimed.text), claimed.mtimeMs, this.facts);
        if (!claimant.held || this.facts.now() - claimed.mtimeMs > CLAIM_ABANDONED_MS) this.moveAsideIfStill(claim, claimed.text);
      } catch {
        /* not a regular file, or gone: leave it */
      }
    }
  }

  /**
   * Removes `file` only if it still holds `text`: it is renamed aside first (atomic), and put back
   * when what moved is not what was judged (a newer claim slipped in). Two collectors clearing one
   * abandoned claim at once thus never remove a live claim made after it.
   */
  private moveAsideIfStill(file: string, text: string): void {
    const aside = unpredictableName(file, '.stale');
    try {
      fs.renameSync(file, aside);
    } catch {
      return; // already moved by another collector
    }
    if (readRegularFile(aside)?.text !== text) {
      try {
        fs.linkSync(aside, file);
      } catch {
        /* the path was taken again meanwhile; that one stands */
      }
    }
    removeQuietly(aside);
  }

  private startHeartbeat(): void {
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Refreshes the heartbeat, but only on a lock that is still this process's own. */
  beat(): void {
    if (this.heldText === undefined) return;
    try {
      if (readRegularFile(this.file)?.text !== this.heldText) return;
      const now = new Date(this.facts.now());
      fs.utimesSync(this.file, now, now);
    } catch {
      /* a missed beat is retried at the next one; the lease is ten beats long */
    }
  }

  release(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const mine = this.heldText;
    this.heldText = undefined;
    if (mine === undefined) return;
    try {
      // Only our own lock is removed: one taken over after a missed lease belongs to its new holder.
      if (readRegularFile(this.file)?.text === mine) fs.unlinkSync(this.file);
    } catch {
      /* gone already */
    }
  }
}
