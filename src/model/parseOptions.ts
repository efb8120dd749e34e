/**
 * zod's parse options for a value parsed a few times a run (settings, a checkpoint, the retry
 * policy, a page's envelope). On an object schema's first parse zod otherwise generates and
 * compiles a fast path with `new Function`: a few milliseconds at every start for each schema,
 * repaid only over thousands of parses, and code made that way is in no code cache. The per-event
 * schema, parsed once per event, keeps the fast path.
 */
export const PARSED_RARELY = { jitless: true } as const;
