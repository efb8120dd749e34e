/**
 * A Dashboard Studio view as the tests see it: the XML wrapper and the JSON definition in its
 * CDATA, checked against the parts of the definition format the app relies on.
 */
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';

const id = z.string().regex(/^[a-zA-Z0-9_-]+$/);

const dataSourceSchema = z.looseObject({
  type: z.string(),
  name: z.string().optional(),
  options: z.looseObject({ query: z.string().optional(), extend: z.string().optional() }).optional(),
});
const visualizationSchema = z.looseObject({
  type: z.string().startsWith('splunk.'),
  title: z.string().optional(),
  dataSources: z.record(z.string(), id).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  eventHandlers: z.array(z.looseObject({ type: z.string(), options: z.record(z.string(), z.unknown()).optional() })).optional(),
});
const inputSchema = z.looseObject({
  type: z.string().startsWith('input.'),
  title: z.string().optional(),
  dataSources: z.record(z.string(), id).optional(),
  options: z.looseObject({ token: z.string(), defaultValue: z.unknown().optional() }),
});
const structureItemSchema = z.looseObject({
  item: id,
  type: z.enum(['block', 'input', 'line']),
  position: z.looseObject({ x: z.number(), y: z.number(), w: z.number().positive().optional(), h: z.number().positive().optional() }),
});

export const studioDefinitionSchema = z.looseObject({
  title: z.string().min(1),
  description: z.string().optional(),
  dataSources: z.record(id, dataSourceSchema),
  visualizations: z.record(id, visualizationSchema),
  inputs: z.record(id, inputSchema).optional(),
  defaults: z.record(z.string(), z.unknown()).optional(),
  layout: z.looseObject({
    globalInputs: z.array(id).optional(),
    tabs: z.looseObject({ items: z.array(z.looseObject({ layoutId: id, label: z.string().optional() })).min(1) }),
    layoutDefinitions: z.record(id, z.looseObject({ type: z.enum(['grid', 'absolute']), structure: z.array(structureItemSchema) })),
  }),
});
export type StudioDefinition = z.infer<typeof studioDefinitionSchema>;

export interface StudioView {
  version: string;
  label: string;
  definition: StudioDefinition;
}

/** Parses a view file; throws when it is not a Dashboard Studio view with a valid definition. */
export function parseStudioView(xml: string): StudioView {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', cdataPropName: '#cdata' });
  const doc = parser.parse(xml, true) as { dashboard?: Record<string, unknown> };
  const dashboard = doc.dashboard;
  if (!dashboard) throw new Error('root element is not <dashboard>');
  const definition = dashboard.definition as { '#cdata'?: string } | undefined;
  const json = definition?.['#cdata'];
  if (typeof json !== 'string') throw new Error('<definition> has no CDATA');
  return {
    version: String(dashboard['@_version'] ?? ''),
    label: String(dashboard.label ?? ''),
    definition: studioDefinitionSchema.parse(JSON.parse(json)),
  };
}

/** Tokens a string refers to: $name$ or $name.sub$ (with an optional |filter), without $$ escapes. */
export function tokensIn(text: string): string[] {
  return [...text.matchAll(/\$([a-zA-Z_][\w.]*)(?:\|[a-z]+)?\$/g)].map((m) => m[1] ?? '');
}
