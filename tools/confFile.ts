/**
 * Splunk `.conf` text: parsing into stanzas, and editing one value in place. Pure functions, so
 * the packager, the version stamper and the tests read configuration the same way splunkd does.
 */

/** Keys written before the first stanza header belong to Splunk's implicit `default` stanza. */
export const IMPLICIT_STANZA = 'default';

export interface ConfFile {
  /** Stanza name → setting → value. Repeated stanzas merge and a repeated key keeps the last value, as in splunkd. */
  stanzas: Map<string, Map<string, string>>;
  /** What AppInspect's parser would object to (duplicates, whitespace after a continuation, stray lines). */
  problems: string[];
}

const STANZA_LINE = /^\s*\[(.*)\]\s*$/;
const SETTING_LINE = /^\s*([^=\s][^=]*?)\s*=\s?([\s\S]*)$/;

function logicalLines(text: string): { line: number; text: string; problems: string[] }[] {
  const physical = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const out: { line: number; text: string; problems: string[] }[] = [];
  for (let i = 0; i < physical.length; i++) {
    const start = i + 1;
    const problems: string[] = [];
    let current = physical[i] ?? '';
    // A trailing backslash continues the value on the next line; splunkd keeps the newline.
    while (/\\\s*$/.test(current) && i + 1 < physical.length) {
      if (/\\\s+$/.test(current)) problems.push(`line ${i + 1}: whitespace after a line continuation`);
      current = current.replace(/\\\s*$/, '') + '\n' + (physical[++i] ?? '');
    }
    out.push({ line: start, text: current, problems });
  }
  return out;
}

/** Parses `.conf` text. Comments are lines whose first non-blank character is `#`. */
export function parseConf(text: string): ConfFile {
  const stanzas = new Map<string, Map<string, string>>();
  const problems: string[] = [];
  const seenStanzas = new Set<string>();
  let currentName = IMPLICIT_STANZA;
  let current = new Map<string, string>();
  stanzas.set(currentName, current);
  let keysInThisHeader = new Set<string>();

  for (const logical of logicalLines(text)) {
    problems.push(...logical.problems);
    const trimmed = logical.text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const header = STANZA_LINE.exec(logical.text);
    if (header) {
      currentName = header[1] ?? '';
      if (seenStanzas.has(currentName)) problems.push(`line ${logical.line}: stanza [${currentName}] appears more than once`);
      seenStanzas.add(currentName);
      current = stanzas.get(currentName) ?? new Map<string, string>();
      stanzas.set(currentName, current);
      keysInThisHeader = new Set<string>();
      continue;
    }
    const setting = SETTING_LINE.exec(logical.text);
    if (!setting) {
      problems.push(`line ${logical.line}: neither a stanza, a setting nor a comment`);
      continue;
    }
    const key = setting[1] ?? '';
    if (keysInThisHeader.has(key)) problems.push(`line ${logical.line}: [${currentName}] sets ${key} more than once`);
    keysInThisHeader.add(key);
    current.set(key, (setting[2] ?? '').trimEnd());
  }
  if (stanzas.get(IMPLICIT_STANZA)?.size === 0 && !seenStanzas.has(IMPLICIT_STANZA)) stanzas.delete(IMPLICIT_STANZA);
  return { stanzas, problems };
}

/** The value of `key` in `[stanza]`, or undefined. */
export function confValue(conf: ConfFile, stanza: string, key: string): string | undefined {
  return conf.stanzas.get(stanza)?.get(key);
}

/**
 * Returns `text` with `key` in `[stanza]` set to `value`, every other byte unchanged. The key is
 * appended to the stanza when missing, and the stanza to the file when it is missing too.
 * Multi-line values are not supported here: the keys this edits are single-line.
 */
export function setConfValue(text: string, stanza: string, key: string, value: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  let inStanza = false;
  let lastLineOfStanza = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const header = STANZA_LINE.exec(line);
    if (header) {
      inStanza = header[1] === stanza;
      if (inStanza) lastLineOfStanza = i;
      continue;
    }
    if (!inStanza) continue;
    const setting = SETTING_LINE.exec(line);
    if (setting && !line.trim().startsWith('#') && setting[1] === key) {
      lines[i] = `${key} = ${value}`;
      return lines.join(eol);
    }
    if (line.trim() !== '') lastLineOfStanza = i;
  }
  if (lastLineOfStanza >= 0) {
    lines.splice(lastLineOfStanza + 1, 0, `${key} = ${value}`);
    return lines.join(eol);
  }
  const body = text.endsWith('\n') || text === '' ? text : text + eol;
  return `${body}${body === '' ? '' : eol}[${stanza}]${eol}${key} = ${value}${eol}`;
}
