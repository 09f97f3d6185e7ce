/**
 * A tiny JSON client for the admin API in tests: every call returns the status, the
 * parsed JSON body (or null) and the headers.
 */
export interface AdminReply {
  status: number;
  /** Parsed JSON of any shape (test convenience). */
  body: any;
  headers: Headers;
}

export interface AdminClient {
  get(path: string, headers?: Record<string, string>): Promise<AdminReply>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<AdminReply>;
  put(path: string, body?: unknown): Promise<AdminReply>;
  patch(path: string, body?: unknown): Promise<AdminReply>;
  del(path: string): Promise<AdminReply>;
  raw(method: string, path: string, body: string, headers?: Record<string, string>): Promise<AdminReply>;
}

export function adminClient(baseUrl: string, defaultHeaders: Record<string, string> = {}): AdminClient {
  async function call(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<AdminReply> {
    const res = await fetch(`${baseUrl}${path}`, { method, headers: { ...defaultHeaders, ...headers }, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }
  const json = (method: string) => (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    call(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? headers : { 'content-type': 'application/json', ...headers });
  return {
    get: (path, headers = {}) => call('GET', path, undefined, headers),
    post: json('POST'),
    put: json('PUT'),
    patch: json('PATCH'),
    del: (path) => call('DELETE', path, undefined, {}),
    raw: (method, path, body, headers = {}) => call(method, path, body, headers),
  };
}
