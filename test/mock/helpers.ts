import type { MockAsana } from '../../src/mock/server.js';

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** One GET against the mock's audit log endpoint (or any path under its base URL). */
export async function apiGet(
  mock: MockAsana,
  query: Record<string, string> | string = {},
  options: { token?: string | null; path?: string; signal?: AbortSignal } = {},
): Promise<ApiAnswer> {
  const path = options.path ?? `/workspaces/${mock.workspaceGid}/audit_log_events`;
  const qs = typeof query === 'string' ? query : new URLSearchParams(query).toString();
  const token = options.token === undefined ? 'mock-token' : options.token;
  const res = await fetch(`${mock.url}${path}${qs ? (path.includes('?') ? '&' : '?') + qs : ''}`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    signal: options.signal,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Follows next_page.path from a first query until a page comes back empty; returns the gids seen. */
export async function drain(mock: MockAsana, query: Record<string, string>): Promise<{ gids: string[]; pages: number; lastPath?: string }> {
  let answer = await apiGet(mock, query);
  const gids: string[] = [];
  let pages = 1;
  for (;;) {
    if (answer.status !== 200) throw new Error(`status ${answer.status}: ${answer.text}`);
    gids.push(...answer.json.data.map((e: { gid: string }) => e.gid));
    const next = answer.json.next_page;
    if (!next || answer.json.data.length === 0) return { gids, pages, lastPath: next?.path };
    answer = await apiGet(mock, '', { path: next.path });
    pages++;
  }
}
