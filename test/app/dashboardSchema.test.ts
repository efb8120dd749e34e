import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { readRepoFile, viewFiles, VIEWS_DIR } from './appFiles.js';
import { parseStudioView, type StudioDefinition } from './studioDashboard.js';
import { splunkStudioValidator, type StudioValidator } from './splunkDashboardValidator.js';

const definitions: [string, StudioDefinition][] = viewFiles().map((f) => [f, parseStudioView(readRepoFile(join(VIEWS_DIR, f))).definition]);

/** A deep copy of a shipped definition to break on purpose. */
const copyOf = (file: string): StudioDefinition => structuredClone(definitions.find(([f]) => f === file)?.[1] ?? assert.fail(`${file} is missing`));

const firstKey = (record: Record<string, unknown>): string => Object.keys(record)[0] ?? assert.fail('empty record');

describe("dashboards: Splunk's own Dashboard Studio validator (@splunk/dashboard-validation)", function () {
  this.timeout(20_000); // compiling Splunk's schema takes a second or two
  let validate: StudioValidator;
  before(() => {
    validate = splunkStudioValidator();
  });

  it('accepts every shipped dashboard definition', () => {
    assert.ok(definitions.length >= 3);
    for (const [file, definition] of definitions) assert.deepEqual(validate(definition), [], file);
  });

  it('rejects a misspelt visualization type', () => {
    const d = copyOf('asana_audit_overview.xml');
    const id = firstKey(d.visualizations);
    d.visualizations[id]!.type = 'splunk.colum';
    const errors = validate(d);
    assert.ok(
      errors.some((e) => e.path === `/visualizations/${id}/type`),
      JSON.stringify(errors),
    );
  });

  it('rejects an option value of the wrong type for the visualization', () => {
    const d = copyOf('asana_audit_overview.xml');
    const [id, table] = Object.entries(d.visualizations).find(([, v]) => v.type === 'splunk.table') ?? assert.fail('no table');
    table.options = { ...table.options, count: 'many' };
    const errors = validate(d);
    assert.ok(
      errors.some((e) => e.path.startsWith(`/visualizations/${id}/options`)),
      JSON.stringify(errors),
    );
  });

  it('rejects an unknown input type and a layout item that names a missing visualization', () => {
    const withBadInput = copyOf('asana_audit_investigation.xml');
    const inputs = withBadInput.inputs ?? assert.fail('no inputs');
    const inputId = firstKey(inputs);
    inputs[inputId]!.type = 'input.textbox';
    const inputErrors = validate(withBadInput);
    assert.ok(
      inputErrors.some((e) => e.path === `/inputs/${inputId}/type`),
      JSON.stringify(inputErrors),
    );

    const withOrphan = copyOf('asana_audit_ingestion_health.xml');
    const layout = withOrphan.layout.layoutDefinitions[firstKey(withOrphan.layout.layoutDefinitions)] ?? assert.fail('no layout');
    layout.structure.push({ item: 'viz_missing', type: 'block', position: { x: 0, y: 9999, w: 100, h: 100 } });
    const layoutErrors = validate(withOrphan);
    assert.ok(
      layoutErrors.some((e) => e.message.includes('"viz_missing"')),
      JSON.stringify(layoutErrors),
    );
  });
});
