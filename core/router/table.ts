/**
 * RouterTable: the router's compile -> worker contract.
 *
 * Plain data only (numbers, strings, arrays, plain objects): it is msgpackr-encoded into
 * the config snapshot and decoded by every worker, which materialises it once per version
 * in `match.ts` (RegExp objects, flat lookup arrays).
 *
 * One *entry* is one (route, path) pair, as Kong's compat router splits a route per path
 * so that every path gets its own priority. A route without paths is one entry that
 * matches any path. Entries are stored best-priority first: an entry's index is its rank,
 * so "better candidate" is simply "smaller entry index".
 *
 * ```
 *  RouterTable
 *  ├─ entries: RouterEntry[]   sorted by Kong priority, index = rank (0 = best)
 *  │    [0] { route: 7, pathKind: REGEX,  key: '/users/',      path: '^/users/(?<id>\d+)', … }
 *  │    [1] { route: 2, pathKind: PREFIX, key: '/users/admin', path: '/users/admin', … }
 *  │    [2] { route: 0, pathKind: PREFIX, key: '/users',       path: '/users', … }
 *  │    [3] { route: 5, pathKind: ANY,    key: '',             path: '', … }
 *  │    (… methods, hosts, headers: the non-path conditions)
 *  │
 *  └─ nodes: RadixNode[]       a radix tree over entry keys, by char code; nodes[0] = root
 *
 *        [0] label ''          entries [3]        (root: entries without a path, and
 *         │                                        regexes without a literal prefix)
 *         └─ '/' ──> [1] label '/users'     entries [2]
 *                     └─ '/' ──> [2] label '/'         entries [0]
 *                                 └─ 'a' ──> [3] label 'admin' entries [1]
 *
 *        node = { label, firstChars: [c0, c1, …] ascending, children: [n0, n1, …] parallel,
 *                 entries: [e…] ascending }
 * ```
 * The key a node stands for is the concatenation of the labels from the root. A PREFIX
 * entry's key is its path (Kong prefix matching is a plain string prefix: /foo matches
 * /foobar). A REGEX entry's key is the literal text its pattern must start with
 * (`^/users/(?<id>\d+)` -> `/users/`), so a request only tests the regexes whose literal
 * start is a prefix of its path; a regex whose start is not plain literal text (or that
 * contains `|`) has the key '' and sits on the root.
 */

/** How an entry matches the path. */
export const PATH_KIND = {
  /** The route has no paths: it matches any path (stored on the root node). */
  ANY: 0,
  /** Plain prefix: stored in the radix tree at the node whose key equals `path`. */
  PREFIX: 1,
  /** Regex: `path` is the source, `^` + the Kong pattern without its `~`; tested at its key's node. */
  REGEX: 2,
} as const;
export type PathKind = (typeof PATH_KIND)[keyof typeof PATH_KIND];

/** How a host rule compares with the request's host (lower-case, without port). */
export const HOST_KIND = {
  /** `example.com`: equality. */
  EXACT: 0,
  /** `*.example.com`: the host ends with `value` (`.example.com`), Kong's `=^`. */
  SUFFIX: 1,
  /** `example.*`: the host starts with `value` (`example.`), Kong's `^=`. */
  PREFIX: 2,
} as const;
export type HostKind = (typeof HOST_KIND)[keyof typeof HOST_KIND];

/** `HostRule.port` when the route host has no `:port` (any port matches). */
export const ANY_PORT = 0;

export interface HostRule {
  kind: HostKind;
  /** The host without its wildcard and port, lower-case. */
  value: string;
  /** Required port, or ANY_PORT. */
  port: number;
}

export interface HeaderRule {
  /** Lower-case header name. */
  name: string;
  /** Accepted values, lower-case, compared case-insensitively. */
  values: string[];
  /** Sources of `~*` values (without the `~*`), matched case-insensitively, unanchored. */
  patterns: string[];
}

export interface RouterEntry {
  /** Index of the route in the compiled input array. */
  route: number;
  /** Index of the path in the route's `paths`, or -1 for a route without paths. */
  pathIndex: number;
  pathKind: PathKind;
  /** The prefix (PREFIX), the anchored regex source (REGEX) or '' (ANY). */
  path: string;
  /** The radix-tree key: the prefix, the regex's literal start, or '' (see above). */
  key: string;
  /** Upper-case methods, or null for any. */
  methods: string[] | null;
  /** Null for any host. */
  hosts: HostRule[] | null;
  /** Null when the route has no header conditions; every rule must hold. */
  headers: HeaderRule[] | null;
}

export interface RadixNode {
  /** Edge label from the parent ('' for the root). */
  label: string;
  /** First char code of each child's label, ascending. */
  firstChars: number[];
  /** Child node indexes, parallel to `firstChars`. */
  children: number[];
  /** Entries whose prefix ends exactly here, ascending (best first). */
  entries: number[];
}

export interface RouterTable {
  entries: RouterEntry[];
  nodes: RadixNode[];
}
