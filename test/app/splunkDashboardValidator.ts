/**
 * Splunk's own Dashboard Studio validator, run in Node: the definition schema from
 * @splunk/dashboard-definition, narrowed to the component types Splunk ships, with the option
 * schemas of its visualizations from @splunk/visualization-schemas. The React editor that usually
 * assembles this schema (from its presets) cannot run here, so the type lists below stand in for it.
 */
// The packages are CommonJS without named-export hints, so Node's ESM loader sees only a default.
import dashboardValidation from '@splunk/dashboard-validation';
import dashboardDefinition from '@splunk/dashboard-definition';
import vizSchemas from '@splunk/visualization-schemas';

const { DashboardValidator } = dashboardValidation;
const { createSchemaBasedOnDicts } = dashboardDefinition;

/** Dashboard Studio's visualization types and the option schema each one is checked against. */
const VISUALIZATIONS: Record<string, Record<string, unknown>> = {
  'splunk.area': vizSchemas.areaOptionsSchema,
  'splunk.bar': vizSchemas.barOptionsSchema,
  'splunk.bubble': vizSchemas.bubbleOptionsSchema,
  'splunk.choropleth.svg': vizSchemas.choroplethSvgOptionsSchema,
  'splunk.column': vizSchemas.columnOptionsSchema,
  'splunk.ellipse': vizSchemas.ellipseOptionsSchema,
  'splunk.events': vizSchemas.eventsOptionsSchema,
  'splunk.fillergauge': vizSchemas.fillerGaugeOptionsSchema,
  'splunk.image': vizSchemas.imageOptionsSchema,
  'splunk.line': vizSchemas.lineOptionsSchema,
  'splunk.linkgraph': vizSchemas.linkGraphOptionsSchema,
  'splunk.map': vizSchemas.mapOptionsSchema,
  'splunk.markdown': vizSchemas.markdownOptionsSchema,
  'splunk.markergauge': vizSchemas.markerGaugeOptionsSchema,
  'splunk.parallelcoordinates': vizSchemas.parallelCoordinatesOptionsSchema,
  'splunk.pie': vizSchemas.pieOptionsSchema,
  'splunk.punchcard': vizSchemas.punchcardOptionsSchema,
  'splunk.rectangle': vizSchemas.rectangleOptionsSchema,
  'splunk.sankey': vizSchemas.sankeyOptionsSchema,
  'splunk.scatter': vizSchemas.scatterOptionsSchema,
  'splunk.singlevalue': vizSchemas.singleValueOptionsSchema,
  'splunk.singlevalueicon': vizSchemas.singleValueIconOptionsSchema,
  'splunk.singlevalueradial': vizSchemas.singleValueRadialOptionsSchema,
  'splunk.table': vizSchemas.tableOptionsSchema,
  'splunk.timeline': vizSchemas.timelineOptionsSchema,
};

// Types only: their option schemas live in the React packages.
const typesOnly = (types: string[]): Record<string, Record<string, unknown>> => Object.fromEntries(types.map((t) => [t, {}]));
const INPUTS = typesOnly(['input.timerange', 'input.dropdown', 'input.multiselect', 'input.text', 'input.number']);
const DATA_SOURCES = typesOnly(['ds.search', 'ds.chain', 'ds.savedSearch', 'ds.test']);
const LAYOUTS = typesOnly(['grid', 'absolute']);

export interface StudioValidationError {
  /** JSON pointer into the definition, when Splunk's validator gives one. */
  path: string;
  message: string;
}

export type StudioValidator = (definition: unknown) => StudioValidationError[];

/** Builds the validator once (compiling the schema takes a moment); the result has no state. */
export function splunkStudioValidator(): StudioValidator {
  const validator = new DashboardValidator();
  const schema = createSchemaBasedOnDicts({
    visualizationDict: VISUALIZATIONS,
    inputDict: INPUTS,
    dataSourceDict: DATA_SOURCES,
    layoutDict: LAYOUTS,
  });
  const schemaError = validator.setSchema(schema);
  if (schemaError) throw schemaError;
  return (definition) => {
    const errors = validator.validate(definition as Parameters<typeof validator.validate>[0]) ?? [];
    return errors.map((e) => ({
      path: e.instancePath ?? '',
      message: `${e.message ?? e.keyword ?? 'invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    }));
  };
}
