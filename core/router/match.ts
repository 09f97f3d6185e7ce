/**
 * Matcher: the worker-side route lookup over a RouterTable (layout in table.ts).
 *
 * The constructor materialises the table once per config version: RegExp objects for
 * regex paths and `~*` header values, and flat per-node arrays for the radix tree.
 *
 * match() allocates nothing on the common path. Because entries are stored in priority
 * order, "best candidate so far" is a single integer (the smallest entry index whose
 * conditions held), and every candidate list is ascending, so each list is scanned only
 * while its entries could still beat the best. The candidates are the entries on the
 * nodes along the path's chain in the radix tree (every prefix of the path lies on that
 * one chain, so the walk never backtracks); for each, the cheap conditions (method, host,
 * headers) come first, then, for a regex entry, the regex itself. Keying regexes by
 * their literal start instead of scanning them all (as Kong does) took the 1,000-route
 * case of bench/micro/router-match.bench.ts (100 of them regexes) from ~0.8-1.3 us to
 * ~0.28-0.34 us per match (Node 20, this CI box); `--trace-gc` shows the same scavenge
 * count for 2e5 and 2e7 matches, i.e. no allocation per match.
 * Regex paths use the sticky flag: `test()` then leaves the match's end in `lastIndex`,
 * which gives the matched length without allocating a match array. Sticky also anchors
 * the whole pattern (`^/a|/b` cannot match `/x/b`), as the traditional router's `a` flag.
 */
import { ANY_PORT, HOST_KIND, PATH_KIND, type HostKind, type RouterTable } from './table.js';

/** The result of one match, reused across requests (fixed shape). */
export class MatchResult {
  /** Index of the matched route in the compiled routes, or -1. */
  route = -1;
  /** Length of the matched path part (prefix length or regex match length); 0 without a path. */
  pathLength = 0;
  /** Index of the matched table entry (for `Matcher.uriCaptures`), or -1. */
  entry = -1;
}

class HostCheck {
  constructor(
    readonly kind: HostKind,
    readonly value: string,
    readonly port: number,
  ) {}
}

class HeaderCheck {
  constructor(
    readonly name: string,
    readonly values: readonly string[],
    readonly patterns: readonly RegExp[],
  ) {}
}

class EntryCheck {
  constructor(
    readonly route: number,
    readonly regex: RegExp | null,
    readonly methods: readonly string[] | null,
    readonly hosts: readonly HostCheck[] | null,
    readonly headers: readonly HeaderCheck[] | null,
  ) {}
}

export class Matcher {
  readonly #entries: EntryCheck[];
  readonly #labels: string[];
  readonly #firstChars: Int32Array[];
  readonly #children: Int32Array[];
  readonly #nodeEntries: Int32Array[];

  constructor(table: RouterTable) {
    this.#entries = table.entries.map(
      (e) =>
        new EntryCheck(
          e.route,
          e.pathKind === PATH_KIND.REGEX ? new RegExp(e.path, 'y') : null,
          e.methods,
          e.hosts === null ? null : e.hosts.map((h) => new HostCheck(h.kind, h.value, h.port)),
          e.headers === null
            ? null
            : e.headers.map((h) => new HeaderCheck(h.name, h.values, h.patterns.map((p) => new RegExp(p, 'i')))),
        ),
    );
    this.#labels = table.nodes.map((n) => n.label);
    this.#firstChars = table.nodes.map((n) => Int32Array.from(n.firstChars));
    this.#children = table.nodes.map((n) => Int32Array.from(n.children));
    this.#nodeEntries = table.nodes.map((n) => Int32Array.from(n.entries));
  }

  match(
    method: string,
    host: string,
    port: number,
    path: string,
    headers: readonly string[],
    out: MatchResult,
  ): boolean {
    const entries = this.#entries;
    let best = entries.length;
    let bestLength = 0;

    if (this.#labels.length > 0) {
      let node = 0;
      let depth = 0;
      for (;;) {
        const list = this.#nodeEntries[node] as Int32Array;
        for (let i = 0; i < list.length; i++) {
          const e = list[i] as number;
          if (e >= best) break;
          const check = entries[e] as EntryCheck;
          if (!this.#accepts(check, method, host, port, headers)) continue;
          const re = check.regex;
          if (re === null) {
            best = e;
            bestLength = depth;
            break;
          }
          re.lastIndex = 0;
          if (re.test(path)) {
            best = e;
            bestLength = re.lastIndex;
            break;
          }
        }
        if (depth >= path.length) break;
        const child = findChild(this.#firstChars[node] as Int32Array, path.charCodeAt(depth));
        if (child === -1) break;
        const next = (this.#children[node] as Int32Array)[child] as number;
        const label = this.#labels[next] as string;
        if (!path.startsWith(label, depth)) break;
        depth += label.length;
        node = next;
      }
    }

    if (best === entries.length) {
      out.route = -1;
      out.pathLength = 0;
      out.entry = -1;
      return false;
    }
    out.route = (entries[best] as EntryCheck).route;
    out.pathLength = bestLength;
    out.entry = best;
    return true;
  }

  /**
   * The regex match of a REGEX entry (full match, numbered and named groups), for plugins
   * and `hash_on_uri_capture`; null for other entries or no match. Allocates: call it only
   * when a capture is needed, never on the common path.
   */
  uriCaptures(entry: number, path: string): RegExpExecArray | null {
    const re = this.#entries[entry]?.regex;
    if (re === undefined || re === null) return null;
    re.lastIndex = 0;
    return re.exec(path);
  }

  #accepts(e: EntryCheck, method: string, host: string, port: number, headers: readonly string[]): boolean {
    const methods = e.methods;
    if (methods !== null) {
      let ok = false;
      for (let i = 0; i < methods.length; i++) {
        if (methods[i] === method) {
          ok = true;
          break;
        }
      }
      if (!ok) return false;
    }
    const hosts = e.hosts;
    if (hosts !== null) {
      let ok = false;
      for (let i = 0; i < hosts.length; i++) {
        if (hostMatches(hosts[i] as HostCheck, host, port)) {
          ok = true;
          break;
        }
      }
      if (!ok) return false;
    }
    const rules = e.headers;
    if (rules !== null) {
      for (let i = 0; i < rules.length; i++) {
        if (!headerMatches(rules[i] as HeaderCheck, headers)) return false;
      }
    }
    return true;
  }
}

function findChild(firstChars: Int32Array, c: number): number {
  let lo = 0;
  let hi = firstChars.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = firstChars[mid] as number;
    if (v === c) return mid;
    if (v < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function hostMatches(rule: HostCheck, host: string, port: number): boolean {
  if (rule.port !== ANY_PORT && rule.port !== port) return false;
  switch (rule.kind) {
    case HOST_KIND.EXACT:
      return host === rule.value;
    case HOST_KIND.SUFFIX:
      return host.endsWith(rule.value);
    case HOST_KIND.PREFIX:
      return host.startsWith(rule.value);
  }
}

/** Any occurrence of the header (it may repeat) with an accepted value. */
function headerMatches(rule: HeaderCheck, headers: readonly string[]): boolean {
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (headers[i] !== rule.name) continue;
    const value = headers[i + 1] as string;
    const values = rule.values;
    for (let k = 0; k < values.length; k++) {
      if (equalsLowerAscii(value, values[k] as string)) return true;
    }
    const patterns = rule.patterns;
    for (let k = 0; k < patterns.length; k++) {
      if ((patterns[k] as RegExp).test(value)) return true;
    }
  }
  return false;
}

/** `value` equals `lower` (already lower-case) ignoring ASCII case, as Kong's `lower()`. */
function equalsLowerAscii(value: string, lower: string): boolean {
  if (value.length !== lower.length) return false;
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}
