/** Replaced by the bundler with package.json's version; "dev" when run from tsc's output. */
declare const __APP_VERSION__: string | undefined;
export const VERSION: string = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';
