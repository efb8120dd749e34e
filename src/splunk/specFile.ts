/** One setting documented in a `.conf.spec` stanza. */
export interface SpecEntry {
  name: string;
  /** What follows `=`, such as `<string>`. */
  placeholder: string;
  /** The `* ` lines under the setting, each with its indented continuation lines joined by a space. */
  bullets: string[];
}

const STANZA = /^\[([^\]]+)\]\s*$/;
const SETTING = /^([0-9A-Za-z][0-9A-Za-z_.-]*)\s*=\s*(.*?)\s*$/;
const BULLET = /^\*\s?(.*?)\s*$/;
const CONTINUATION = /^\s+(\S.*?)\s*$/;

/**
 * Reads the settings a spec file documents for `[<scheme>://<name>]`, following Splunk's layout:
 * `name = <placeholder>` at the start of a line, then `* ` lines, wrapped lines indented.
 */
export function parseSpecEntries(specText: string, scheme: string): SpecEntry[] {
  const entries: SpecEntry[] = [];
  let inStanza = false;
  let current: SpecEntry | undefined;
  for (const line of specText.split(/\r?\n/)) {
    const stanza = STANZA.exec(line);
    if (stanza) {
      inStanza = (stanza[1] ?? '').startsWith(`${scheme}://`);
      current = undefined;
      continue;
    }
    if (!inStanza || line.startsWith('#') || line.trim() === '') continue;
    const setting = SETTING.exec(line);
    if (setting) {
      current = { name: setting[1] ?? '', placeholder: setting[2] ?? '', bullets: [] };
      entries.push(current);
      continue;
    }
    // Bullets before the first setting describe the stanza itself.
    if (!current) continue;
    const bullet = BULLET.exec(line);
    if (bullet) {
      current.bullets.push(bullet[1] ?? '');
      continue;
    }
    const more = CONTINUATION.exec(line);
    if (more && current.bullets.length > 0) {
      const last = current.bullets.length - 1;
      current.bullets[last] = `${current.bullets[last]} ${more[1] ?? ''}`;
    }
  }
  return entries;
}

/** The names of the settings the spec documents for the scheme, in file order. */
export function parseSpecArgs(specText: string, scheme: string): string[] {
  return parseSpecEntries(specText, scheme).map((e) => e.name);
}

/** The text of a `* Default: ...` bullet, if the entry has one. */
export function specDefault(entry: SpecEntry): string | undefined {
  const bullet = entry.bullets.find((b) => b.startsWith('Default: '));
  return bullet?.slice('Default: '.length);
}

/** The parts of an arg definition the spec file documents. */
export interface DocumentedArg {
  name: string;
  description: string;
  requiredOnCreate: boolean;
  defaultText?: string;
}

/**
 * Every way the spec file disagrees with the arg definitions, one line each; empty when they
 * agree. Checked: the set and order of names, each description, default and "Required" bullet.
 */
export function specDisagreements(specText: string, scheme: string, args: readonly DocumentedArg[]): string[] {
  const problems: string[] = [];
  const entries = parseSpecEntries(specText, scheme);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const argNames = new Set(args.map((a) => a.name));
  for (const e of entries) {
    if (!argNames.has(e.name)) problems.push(`${e.name}: documented in the spec but not an arg`);
  }
  if (new Set(entries.map((e) => e.name)).size !== entries.length) problems.push('a setting is documented more than once');
  for (const a of args) {
    const e = byName.get(a.name);
    if (!e) {
      problems.push(`${a.name}: an arg missing from the spec`);
      continue;
    }
    if (e.bullets[0] !== a.description) problems.push(`${a.name}: description differs from the arg's`);
    const dflt = specDefault(e);
    if (dflt !== a.defaultText) {
      problems.push(`${a.name}: spec default ${JSON.stringify(dflt ?? null)} but arg default ${JSON.stringify(a.defaultText ?? null)}`);
    }
    const saysRequired = e.bullets.some((b) => b.startsWith('Required'));
    if (saysRequired !== a.requiredOnCreate) problems.push(`${a.name}: spec ${saysRequired ? 'says' : 'does not say'} it is required`);
  }
  const documentedOrder = entries.map((e) => e.name).filter((n) => argNames.has(n));
  const argOrder = args.map((a) => a.name).filter((n) => byName.has(n));
  if (documentedOrder.join() !== argOrder.join()) problems.push('settings are not in the order of the arg definitions');
  return problems;
}
