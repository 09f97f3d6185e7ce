/**
 * buildUpstreamPath: the path sent upstream, from the service path, the (normalised)
 * request path and what the route matched — Kong's strip_path / path_handling rules.
 *
 * The truth is Kong's `spec/fixtures/router_path_handling_tests.lua` (the version with
 * both v0 and v1 columns), copied to test/fixtures/router-cases.ts and tested row by row.
 *
 *   base    = service path, or `/`
 *   postfix = strip_path and a path matched ? request path after the matched part,
 *             with a leading `./` or `../` (or a whole `.`/`..`) dropped
 *           : request path without its leading `/`
 *
 *   v1 (plain concatenation, as Kong's traditional router):
 *     strip:    base + postfix, dropping one `/` where both sides have one
 *     no strip: base + request path without its leading `/`
 *   v0 (Kong's default, slash-aware):
 *     base ends with `/`:
 *       strip:    postfix ''  -> base (`/` stays `/`) without its trailing `/`
 *                 postfix `/…` -> base without its trailing `/` + postfix
 *                 otherwise   -> base + postfix
 *       no strip: base + request path without its leading `/`
 *     base without trailing `/`:
 *       strip:    postfix ''  -> base
 *                 postfix `/…` -> base + postfix
 *                 otherwise   -> base + `/` + postfix
 *       no strip: request path `/` -> base, otherwise base + request path
 *
 * Kong 3.x later changed v0 for an empty postfix to keep the request's trailing slash
 * (and removed v1); the table we follow is the one that defines both v0 and v1.
 *
 * `pathLength` is MatchResult.pathLength: 0 means the route matched without a path.
 */
const SLASH = 0x2f;

export function buildUpstreamPath(
  servicePath: string | null,
  requestPath: string,
  pathLength: number,
  stripPath: boolean,
  pathHandling: 'v0' | 'v1',
): string {
  const base = servicePath ?? '/';
  const baseEndsWithSlash = base.charCodeAt(base.length - 1) === SLASH;

  if (!stripPath) {
    if (pathHandling === 'v0' && !baseEndsWithSlash) return requestPath === '/' ? base : base + requestPath;
    return base + requestPath.slice(1);
  }

  const postfix = pathLength > 0 ? sanitizePostfix(requestPath.slice(pathLength)) : requestPath.slice(1);
  const postfixStartsWithSlash = postfix.charCodeAt(0) === SLASH;

  if (pathHandling === 'v1') {
    return baseEndsWithSlash && postfixStartsWithSlash ? base.slice(0, -1) + postfix : base + postfix;
  }
  if (baseEndsWithSlash) {
    if (postfix === '') return base === '/' ? '/' : base.slice(0, -1);
    return postfixStartsWithSlash ? base.slice(0, -1) + postfix : base + postfix;
  }
  if (postfix === '') return base;
  return postfixStartsWithSlash ? base + postfix : base + '/' + postfix;
}

/** Kong's sanitize_uri_postfix: a postfix never starts with a dot segment. */
function sanitizePostfix(postfix: string): string {
  if (postfix === '.' || postfix === '..') return '';
  if (postfix.startsWith('./')) return postfix.slice(2);
  if (postfix.startsWith('../')) return postfix.slice(3);
  return postfix;
}
