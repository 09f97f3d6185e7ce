/**
 * Loaded with `node --import` into Portkey's gateway for the streamed AI scenario only.
 *
 * Portkey 1.15.2 cannot stream on this stack as installed: it wraps the upstream fetch
 * Response in `new Response(stream, upstreamResponse)`; @hono/node-server (which it pulls
 * in, 1.19) replaces the global Response with a lightweight one that keeps the upstream's
 * Headers object as is, and fetch's Headers are immutable, so Portkey's own
 * `headers.append('x-portkey-…')` throws `TypeError: immutable` and every streamed call
 * answers 500 "Something went wrong". Handing Portkey fetch responses with ordinary
 * (mutable) headers is the smallest change that lets it stream: one Response and one
 * header copy per upstream call, a cost that counts against Portkey, not for it.
 */
const NativeResponse = globalThis.Response;
const nativeFetch = globalThis.fetch;

globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
  const res = await nativeFetch(input, init);
  return new NativeResponse(res.body, { status: res.status, statusText: res.statusText, headers: new Headers(res.headers) });
};
