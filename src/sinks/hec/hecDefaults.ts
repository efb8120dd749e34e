/** HEC delivery's defaults, apart from the settings' schemas: `poll --help` names them without loading those. */
export const DEFAULT_HEC_SOURCETYPE = 'asana:audit';
export const DEFAULT_BATCH_EVENTS = 500;
/** Uncompressed; well under HEC's smallest common max_content_length. */
export const DEFAULT_BATCH_BYTES = 1_000_000;
/** Kept in flight (sent, not yet acknowledged): see hecSink.ts and docs/reference/hec.md. */
export const DEFAULT_IN_FLIGHT_EVENTS = 20_000;
export const DEFAULT_IN_FLIGHT_BYTES = 32_000_000;
export const DEFAULT_CHANNELS = 1;
