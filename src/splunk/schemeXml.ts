import type { ArgDefinition } from '../settings/args.js';
import { escapeXmlAttr, escapeXmlText } from './xmlEscape.js';

export const SCHEME_TITLE = 'Asana Audit Log';
export const SCHEME_DESCRIPTION = 'Streams the Audit Log API of an Asana Enterprise organization into Splunk, each event once, as sourcetype asana:audit.';

/**
 * The `--scheme` document splunkd reads to learn the input's args. External validation is on so
 * Splunk Web shows our own messages; one process per stanza keeps checkpoints independent.
 */
export function renderScheme(args: readonly ArgDefinition[]): string {
  const argXml = args.map(
    (a) =>
      `      <arg name="${escapeXmlAttr(a.name)}">\n` +
      `        <title>${escapeXmlText(a.title)}</title>\n` +
      `        <description>${escapeXmlText(a.description)}</description>\n` +
      `        <data_type>${a.dataType}</data_type>\n` +
      `        <required_on_edit>${a.requiredOnEdit}</required_on_edit>\n` +
      `        <required_on_create>${a.requiredOnCreate}</required_on_create>\n` +
      `      </arg>\n`,
  );
  return (
    `<scheme>\n` +
    `  <title>${escapeXmlText(SCHEME_TITLE)}</title>\n` +
    `  <description>${escapeXmlText(SCHEME_DESCRIPTION)}</description>\n` +
    `  <use_external_validation>true</use_external_validation>\n` +
    `  <use_single_instance>false</use_single_instance>\n` +
    `  <streaming_mode>xml</streaming_mode>\n` +
    `  <endpoint>\n` +
    `    <args>\n` +
    argXml.join('') +
    `    </args>\n` +
    `  </endpoint>\n` +
    `</scheme>\n`
  );
}
