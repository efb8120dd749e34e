import type { ErrorBody } from '../asana/apiSchemas.js';
import type { SeededRandom } from './random.js';

const HELP = 'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors';

export const OFFSET_HELP =
  'Offsets are only valid with the filters of the request that returned them and expire after some time; resume with start_at instead.';

/** The JSON error envelope Asana sends, as text. */
export function errorBody(message: string, options: { help?: string; phrase?: string } = {}): string {
  const error: ErrorBody['errors'][number] = { message, help: options.help ?? HELP };
  if (options.phrase) error.phrase = options.phrase;
  return JSON.stringify({ errors: [error] });
}

const PHRASE_WORDS = {
  adjectives: ['quiet', 'brave', 'sleepy', 'curious', 'gentle', 'bright', 'clumsy'],
  animals: ['otters', 'herons', 'lynxes', 'wombats', 'falcons', 'geckos'],
  verbs: ['juggle', 'wander', 'whistle', 'tumble', 'ponder', 'gather'],
  adverbs: ['boldly', 'slowly', 'warmly', 'oddly', 'calmly'],
};

/** A support phrase for a 500, in the shape Asana uses: a count and four words. */
export function errorPhrase(rng: SeededRandom): string {
  const w = PHRASE_WORDS;
  return `${2 + rng.int(20)} ${rng.pick(w.adjectives)} ${rng.pick(w.animals)} ${rng.pick(w.verbs)} ${rng.pick(w.adverbs)}`;
}

/** The standard body for a status the server (or a scripted fault) answers with. */
export function bodyForStatus(status: number, rng: SeededRandom): string {
  switch (status) {
    case 400:
      return errorBody('Bad request');
    case 401:
      return errorBody('Not Authorized');
    case 402:
      return errorBody('Audit log access requires an Enterprise or Enterprise+ plan with the audit log feature.');
    case 403:
      return errorBody('This token may not read the audit log of this organization.');
    case 404:
      return errorBody('Not found');
    case 429:
      return errorBody('Too many requests: wait the number of seconds in the Retry-After header, then try again.');
    case 451:
      return errorBody('Unavailable for legal reasons');
    case 500:
      return errorBody('Server Error', { phrase: errorPhrase(rng) });
    case 502:
      return errorBody('Bad Gateway: there is an issue between the load balancers and the API.');
    case 503:
      return errorBody('Service Unavailable');
    case 504:
      return errorBody('Gateway Timeout: this request took too long to complete.');
    default:
      return errorBody(`HTTP ${status}`);
  }
}
