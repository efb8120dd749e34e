/** Pulls the event types and categories an SPL search or eval expression filters on. */

export interface FieldValues {
  /** Literal values, e.g. user_login_failed. */
  exact: string[];
  /** Values with a * wildcard, e.g. *_export_started. */
  patterns: string[];
}

const VALUE = String.raw`"([^"]*)"|([^\s"|()\],]+)`;

/** Values compared to `field` with =, == or != and listed in `field IN (...)`. */
export function valuesOf(field: string, spl: string): FieldValues {
  const values: string[] = [];
  const eq = new RegExp(String.raw`(?<![\w.'])${field}\s*(?:==|!=|=)\s*(?:${VALUE})`, 'g');
  for (const m of spl.matchAll(eq)) values.push(m[1] ?? m[2] ?? '');
  const list = new RegExp(String.raw`(?<![\w.'])${field}\s+IN\s*\(([^)]*)\)`, 'gi');
  for (const m of spl.matchAll(list)) {
    for (const item of (m[1] ?? '').split(',')) values.push(item.trim().replace(/^"|"$/g, ''));
  }
  // Token placeholders ($event_type$) are inputs, not values.
  const real = values.filter((v) => v !== '' && !/^\$.*\$$/.test(v));
  return { exact: real.filter((v) => !v.includes('*')), patterns: real.filter((v) => v.includes('*')) };
}

export function wildcardToRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}
