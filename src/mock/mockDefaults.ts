/** The mock's defaults, apart from the server: `mock-server --help` names them without loading it. */
export const DEFAULT_WORKSPACE_GID = '1200000000000001';
export const DEFAULT_MOCK_TOKEN = 'mock-token';
