import { XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';
import { z } from 'zod';
import { CodedError } from '../errors/codedError.js';
import { PARSED_RARELY } from '../model/parseOptions.js';

export const SCHEME = 'asana_audit_log';

export type SplunkXmlErrorCode = 'xml_empty' | 'xml_malformed' | 'xml_unexpected_root' | 'xml_missing_field' | 'input_name_invalid';

/** The document splunkd sent cannot be used. Messages never contain parameter or session key values. */
export class SplunkXmlError extends CodedError<SplunkXmlErrorCode> {}

export const splunkStanzaSchema = z.object({
  /** Full stanza name, such as `asana_audit_log://acme`. */
  name: z.string().min(1),
  params: z.record(z.string(), z.string()),
  paramLists: z.record(z.string(), z.array(z.string())),
});
export type SplunkStanza = z.infer<typeof splunkStanzaSchema>;

const serverFields = {
  serverHost: z.string(),
  serverUri: z.string(),
  sessionKey: z.string(),
  checkpointDir: z.string().min(1),
};

export const runInputSchema = z.object({ ...serverFields, stanzas: z.array(splunkStanzaSchema) });
export type RunInput = z.infer<typeof runInputSchema>;

export const validationInputSchema = z.object({ ...serverFields, item: splunkStanzaSchema });
export type ValidationInput = z.infer<typeof validationInputSchema>;

// ---------------------------------------------------------------------------------------------
// The parser's tree. With `alwaysCreateTextNode` every element is an object holding its text
// under `#text` and its attributes under `@_name`; repeatable elements are always arrays.

const TEXT = '#text';
const REPEATABLE = new Set(['stanza', 'param', 'param_list', 'value', 'item']);

const elementText = z.looseObject({ [TEXT]: z.string().optional() }).transform((e) => e[TEXT] ?? '');
const rawParam = z.looseObject({ '@_name': z.string().min(1), [TEXT]: z.string().optional() });
const rawParamList = z.looseObject({ '@_name': z.string().min(1), value: z.array(elementText).optional() });
/** A `<stanza>` or an `<item>`; other child elements are Splunk's business, not ours. */
const rawStanza = z.looseObject({ '@_name': z.string().min(1), param: z.array(rawParam).optional(), param_list: z.array(rawParamList).optional() }).transform(
  (s): SplunkStanza => ({
    name: s['@_name'],
    // fromEntries defines own properties, so a param named `__proto__` cannot set a prototype
    // (the record check of the final shape then drops it).
    params: Object.fromEntries((s.param ?? []).map((p) => [p['@_name'], p[TEXT] ?? ''])),
    paramLists: Object.fromEntries((s.param_list ?? []).map((l) => [l['@_name'], l.value ?? []])),
  }),
);

const rawServerFields = {
  server_host: elementText,
  server_uri: elementText,
  session_key: elementText,
  checkpoint_dir: elementText,
};

const rawInput = z
  .looseObject({
    ...rawServerFields,
    configuration: z.looseObject({ stanza: z.array(rawStanza).optional() }).optional(),
  })
  .transform((r) => ({
    serverHost: r.server_host,
    serverUri: r.server_uri,
    sessionKey: r.session_key,
    checkpointDir: r.checkpoint_dir,
    stanzas: r.configuration?.stanza ?? [],
  }))
  .pipe(runInputSchema);

const rawItems = z
  .looseObject({ ...rawServerFields, item: z.array(rawStanza).length(1) })
  .transform((r) => ({
    serverHost: r.server_host,
    serverUri: r.server_uri,
    sessionKey: r.session_key,
    checkpointDir: r.checkpoint_dir,
    item: r.item[0],
  }))
  .pipe(validationInputSchema);

// ---------------------------------------------------------------------------------------------

/**
 * XML's own entity rules, and nothing more: the five predefined names and character references.
 * fast-xml-parser's default decoder leaves numeric references undecoded; its HTML mode would
 * accept names like `&nbsp;` that XML does not define. Anything else is not well-formed.
 */
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const xmlEntityDecoder: EntityDecoderOptions = {
  setExternalEntities() {},
  addInputEntities(entities) {
    // splunkd never sends a DTD; refusing its entities rules out expansion attacks too.
    if (Object.keys(entities).length > 0) throw new Error('entity declarations are not accepted');
  },
  reset() {},
  setXmlVersion() {},
  decode(text) {
    return text.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
      if (!whole.endsWith(';')) throw new Error('a bare & in text');
      const named = NAMED[ref];
      if (named !== undefined) return named;
      const num = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
      if (!num) throw new Error('an undefined entity reference');
      const cp = num[1] !== undefined ? parseInt(num[1], 16) : Number(num[2]);
      const legal =
        cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
      if (!legal) throw new Error('a character reference to a character XML does not allow');
      return String.fromCodePoint(cp);
    });
  },
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  // Splunk hands values over exactly as written in inputs.conf; so do we.
  trimValues: false,
  alwaysCreateTextNode: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (tagName) => REPEATABLE.has(tagName),
  entityDecoder: xmlEntityDecoder,
});

const MANUAL_RUN_HINT = "this program is run by splunkd; for a manual run use 'asana-audit-log poll'";

/** Names from splunkd's documents; a parser message may quote these, but nothing else. */
const PROTOCOL_NAMES = new Set([
  'input',
  'items',
  'item',
  'server_host',
  'server_uri',
  'session_key',
  'checkpoint_dir',
  'configuration',
  'stanza',
  'param',
  'param_list',
  'value',
  'name',
]);

/**
 * Keeps a parser message from carrying a secret into a log: quoted fragments (which can be a
 * piece of text, as in "Tag 'abc' is an invalid name") are kept only when they are protocol
 * names, and the session key, when one can be found, is removed outright.
 */
function scrub(message: string, xml: string): string {
  let out = message
    .replace(/^Invalid '\[[\s\S]*\]' found\.?$/, 'elements left unclosed at the end')
    .replace(/'([^']*)'/g, (whole, inner: string) => (PROTOCOL_NAMES.has(inner) ? whole : "'…'"));
  const key = /<session_key>([^<]*)<\/session_key>/.exec(xml)?.[1]?.trim();
  if (key && key.length >= 4) out = out.split(key).join('…');
  return out;
}

interface DocumentKind {
  root: 'input' | 'items';
  what: string;
  /** What the other root means, to point someone who swapped modes at the right one. */
  otherRoot: 'input' | 'items';
  otherHint: string;
}

const RUN: DocumentKind = {
  root: 'input',
  what: 'input XML',
  otherRoot: 'items',
  otherHint: 'this is a validation request; run with --validate-arguments',
};
const VALIDATION: DocumentKind = {
  root: 'items',
  what: 'validation XML',
  otherRoot: 'input',
  otherHint: 'this is a run request; run without --validate-arguments',
};

function parseRoot(xml: string, kind: DocumentKind): unknown {
  if (xml.replace(/^\uFEFF/, '').trim() === '') {
    throw new SplunkXmlError('xml_empty', `splunkd sent no ${kind.what} on stdin: ${MANUAL_RUN_HINT}`);
  }
  const malformed = (detail: string) =>
    new SplunkXmlError(
      'xml_malformed',
      `the ${kind.what} on stdin is not well-formed XML (${scrub(detail, xml)}): it was cut short or corrupted; ${MANUAL_RUN_HINT}`,
    );
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) {
    const line = verdict.err.line ? `line ${verdict.err.line}: ` : '';
    throw malformed(`${line}${verdict.err.msg}`);
  }
  let tree: Record<string, unknown>;
  try {
    tree = parser.parse(xml) as Record<string, unknown>;
  } catch (e) {
    throw malformed(e instanceof Error ? e.message : String(e));
  }
  const roots = Object.keys(tree);
  if (roots.length !== 1) throw malformed(roots.length === 0 ? 'no root element' : 'more than one root element');
  const root = roots[0] as string;
  if (root !== kind.root) {
    const hint = root === kind.otherRoot ? kind.otherHint : `splunkd sends <${kind.root}>; ${MANUAL_RUN_HINT}`;
    throw new SplunkXmlError('xml_unexpected_root', `expected <${kind.root}> as the ${kind.what} root element but got <${root}>: ${hint}`);
  }
  return tree[root];
}

const ELEMENT_OF: Record<string, string> = {
  serverHost: 'server_host',
  serverUri: 'server_uri',
  sessionKey: 'session_key',
  checkpointDir: 'checkpoint_dir',
};

type Issue = z.ZodError['issues'][number];

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** Where an issue is, in XML terms, and whether it is an absence; never quotes a value. */
function describeIssue(issue: Issue, root: unknown): { text: string; missing: boolean } {
  const where = issue.path
    .map((p) => (typeof p === 'number' ? `#${p + 1}` : p === '@_name' ? 'name attribute' : `<${ELEMENT_OF[String(p)] ?? String(p)}>`))
    .join(' ');
  // Issues from the final shape (camelCase paths) can only be about emptiness; the rest are
  // about the parser's tree, where an undefined value means the element or attribute is absent.
  if (issue.path.length > 0 && String(issue.path[0]) in ELEMENT_OF) return { text: `${where} is empty`, missing: true };
  if (issue.code === 'too_small') return { text: issue.origin === 'array' ? `${where} is missing` : `${where} is empty`, missing: true };
  if (issue.code === 'too_big') return { text: `${where} appears more than once`, missing: false };
  if (valueAt(root, issue.path) === undefined) return { text: `${where} is missing`, missing: true };
  return { text: `${where} is repeated or has an unexpected shape`, missing: false };
}

function toShape<T>(schema: z.ZodType<T>, root: unknown, kind: DocumentKind): T {
  const result = schema.safeParse(root, PARSED_RARELY);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => describeIssue(i, root));
  const details = issues
    .slice(0, 3)
    .map((i) => i.text)
    .join('; ');
  if (issues.every((i) => i.missing)) {
    throw new SplunkXmlError('xml_missing_field', `the ${kind.what} on stdin lacks required content (${details}): splunkd always sends it; ${MANUAL_RUN_HINT}`);
  }
  throw new SplunkXmlError('xml_malformed', `the ${kind.what} on stdin has an unexpected structure (${details}): ${MANUAL_RUN_HINT}`);
}

/** Parses the document splunkd writes to stdin when it runs the input. */
export function parseRunInput(xml: string): RunInput {
  return toShape(rawInput, parseRoot(xml, RUN), RUN);
}

/** Parses the document splunkd writes to stdin with `--validate-arguments`. */
export function parseValidationInput(xml: string): ValidationInput {
  return toShape(rawItems, parseRoot(xml, VALIDATION), VALIDATION);
}

/** `asana_audit_log://acme` → `acme`. Throws for another scheme or an empty name. */
export function inputNameOf(stanzaName: string, scheme = SCHEME): string {
  const prefix = `${scheme}://`;
  if (!stanzaName.startsWith(prefix)) {
    throw new SplunkXmlError(
      'xml_missing_field',
      `stanza ${JSON.stringify(stanzaName)} is not a ${scheme} input: splunkd ran this program for another scheme; name the stanza [${prefix}<name>] in inputs.conf`,
    );
  }
  const name = stanzaName.slice(prefix.length);
  if (name.trim() === '') {
    throw new SplunkXmlError('xml_missing_field', `stanza ${JSON.stringify(stanzaName)} has no input name: name the stanza [${prefix}<name>] in inputs.conf`);
  }
  refuseUnaddressableName(name);
  return name;
}

/**
 * "." and ".." are dot segments: every URL parser (and splunkd's) collapses them, so the REST edit
 * that masks the input's token would reach another endpoint (…/data/inputs/ or …/asana_audit_log/),
 * percent-encoded (%2E) or not. Such an input is refused before anything is stored or edited.
 */
export function refuseUnaddressableName(name: string): void {
  if (name !== '.' && name !== '..') return;
  throw new SplunkXmlError(
    'input_name_invalid',
    `the input name "${name}" cannot be used: splunkd's REST API cannot address an input named "." or ".." (the URL path collapses onto another endpoint, so its token could not be masked); rename the input, for example to acme`,
  );
}
