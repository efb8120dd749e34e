import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { ARGS, type ArgDefinition } from '../../src/settings/args.js';
import { renderScheme, SCHEME_TITLE } from '../../src/splunk/schemeXml.js';

// htmlEntities turns on numeric character references, which the parser's default leaves alone.
const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (name) => name === 'arg',
});

interface ParsedArg {
  '@_name': string;
  title: string;
  description: string;
  data_type: string;
  required_on_edit: string;
  required_on_create: string;
}

function parseScheme(xml: string) {
  assert.equal(XMLValidator.validate(xml), true);
  const tree = parser.parse(xml) as { scheme: Record<string, unknown> & { endpoint: { args: { arg?: ParsedArg[] } } } };
  return tree.scheme;
}

describe('renderScheme', () => {
  const scheme = parseScheme(renderScheme(ARGS));

  it('declares the title, external validation, one process per stanza and XML streaming', () => {
    assert.equal(scheme.title, SCHEME_TITLE);
    assert.equal(SCHEME_TITLE, 'Asana Audit Log');
    assert.ok(typeof scheme.description === 'string' && scheme.description.length > 20);
    assert.equal(scheme.use_external_validation, 'true');
    assert.equal(scheme.use_single_instance, 'false');
    assert.equal(scheme.streaming_mode, 'xml');
  });

  it('lists every arg of ARGS, in order, with its title, description, type and flags', () => {
    const args = scheme.endpoint.args.arg ?? [];
    assert.deepEqual(
      args.map((a) => a['@_name']),
      ARGS.map((a) => a.name),
    );
    ARGS.forEach((def, i) => {
      const a = args[i]!;
      assert.equal(a.title, def.title);
      assert.equal(a.description, def.description);
      assert.equal(a.data_type, def.dataType);
      assert.equal(a.required_on_edit, String(def.requiredOnEdit));
      assert.equal(a.required_on_create, String(def.requiredOnCreate));
    });
    assert.equal(args.find((a) => a['@_name'] === 'workspace_gid')?.required_on_create, 'true');
    assert.equal(args.find((a) => a['@_name'] === 'page_size')?.data_type, 'number');
  });

  it("uses only arg names Splunk accepts and none of Splunk's own settings", () => {
    for (const a of ARGS) {
      assert.match(a.name, /^[0-9a-zA-Z][0-9a-zA-Z_-]*$/);
      assert.ok(!['source', 'sourcetype', 'host', 'index', 'disabled', 'interval'].includes(a.name));
    }
  });

  it('escapes markup in titles, descriptions and names so they come back unchanged', () => {
    const tricky: ArgDefinition = {
      name: 'x-1',
      title: `A <b>"quoted"</b> & 'single' ]]> title`,
      description: 'line one\r\nline two\twith </description><arg name="evil"> inside',
      dataType: 'boolean',
      requiredOnCreate: false,
      requiredOnEdit: true,
      schema: z.string(),
    };
    const args = parseScheme(renderScheme([tricky])).endpoint.args.arg ?? [];
    assert.equal(args.length, 1);
    assert.equal(args[0]!['@_name'], 'x-1');
    assert.equal(args[0]!.title, tricky.title);
    assert.equal(args[0]!.description, tricky.description);
    assert.equal(args[0]!.required_on_edit, 'true');
  });
});
