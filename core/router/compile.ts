/**
 * compileRouter: NormalizedRoute[] -> RouterTable (see table.ts for the layout).
 *
 * Every (route, path) pair becomes one entry, as Kong's compat router splits routes per
 * path; a route without paths is one entry matching any path. Entries are sorted once
 * here, so the worker only ever compares entry indexes.
 *
 * Priority, after Kong 3.x `traditional_compatible` (kong/router/transform.lua,
 * `get_priority`, which packs these into one 64-bit number, most significant first):
 *   1. More matching categories first: one each for non-empty methods, hosts, headers,
 *      paths (and snis, which Gatehouse routes do not have).
 *   2. Plain hosts only beat wildcard hosts: a route whose hosts are all without `*` wins.
 *   3. More header names first.
 *   4. A regex path beats a prefix path.
 *   5. Higher regex_priority first (regex paths only; prefix paths ignore it).
 *   6. Longer prefix first (prefix paths only).
 *   7. Then config order: route index, then the path's index within the route.
 * Rule 7 replaces Kong's tie-break (the ATC router orders equal priorities by route id),
 * which is not something a config author can see or control.
 *
 * Regex paths keep Kong's spelling: `~` + pattern, anchored with `^`. `(?P<name>` (PCRE
 * and Rust style) is rewritten to the JavaScript `(?<name>`. A pattern JavaScript cannot
 * compile is a compile error naming the route, never a route that silently never matches.
 * Each regex sits in the radix tree under its literal start (see literalStart), so a
 * request only tests the regexes that could match its path.
 */
import type { NormalizedRoute } from '../config/types.js';
import {
  ANY_PORT,
  HOST_KIND,
  PATH_KIND,
  type HeaderRule,
  type HostRule,
  type PathKind,
  type RadixNode,
  type RouterEntry,
  type RouterTable,
} from './table.js';

interface SortKey {
  weight: number;
  plainHostsOnly: number;
  headerCount: number;
  regex: number;
  regexPriority: number;
  prefixLength: number;
  route: number;
  pathIndex: number;
}

interface Draft {
  entry: RouterEntry;
  key: SortKey;
}

export function compileRouter(routes: readonly NormalizedRoute[]): RouterTable {
  const drafts: Draft[] = [];
  for (let r = 0; r < routes.length; r++) {
    const route = routes[r] as NormalizedRoute;
    const methods = nonEmpty(route.methods);
    const hosts = nonEmpty(route.hosts);
    const paths = nonEmpty(route.paths);
    const headerNames = route.headers === null ? [] : Object.keys(route.headers);
    const common = {
      methods: methods === null ? null : methods.map((m) => m.toUpperCase()),
      hosts: hosts === null ? null : hosts.map((h) => hostRule(h, route)),
      headers: headerNames.length === 0 ? null : headerRules(route, headerNames),
    };
    const weight =
      (methods === null ? 0 : 1) + (hosts === null ? 0 : 1) + (headerNames.length === 0 ? 0 : 1) + (paths === null ? 0 : 1);
    const plainHostsOnly = hosts !== null && hosts.every((h) => !h.includes('*')) ? 1 : 0;
    const base = { weight, plainHostsOnly, headerCount: headerNames.length, route: r };

    if (paths === null) {
      drafts.push({
        entry: { route: r, pathIndex: -1, pathKind: PATH_KIND.ANY, path: '', key: '', ...common },
        key: { ...base, regex: 0, regexPriority: 0, prefixLength: 0, pathIndex: -1 },
      });
      continue;
    }
    for (let p = 0; p < paths.length; p++) {
      const raw = paths[p] as string;
      const isRegex = raw.charCodeAt(0) === 0x7e; // '~'
      const kind: PathKind = isRegex ? PATH_KIND.REGEX : PATH_KIND.PREFIX;
      const path = isRegex ? regexSource(raw, route) : raw;
      drafts.push({
        entry: {
          route: r,
          pathIndex: p,
          pathKind: kind,
          path,
          key: isRegex ? literalStart(path) : path,
          ...common,
        },
        key: {
          ...base,
          regex: isRegex ? 1 : 0,
          regexPriority: isRegex ? route.regex_priority : 0,
          prefixLength: isRegex ? 0 : raw.length,
          pathIndex: p,
        },
      });
    }
  }

  drafts.sort((a, b) => compareKeys(a.key, b.key));
  const entries = drafts.map((d) => d.entry);
  const tree = new TreeBuilder();
  for (let i = 0; i < entries.length; i++) tree.insert((entries[i] as RouterEntry).key, i);
  return { entries, nodes: tree.flatten() };
}

/** Negative when `a` must be tried before `b`. */
function compareKeys(a: SortKey, b: SortKey): number {
  return (
    b.weight - a.weight ||
    b.plainHostsOnly - a.plainHostsOnly ||
    b.headerCount - a.headerCount ||
    b.regex - a.regex ||
    b.regexPriority - a.regexPriority ||
    b.prefixLength - a.prefixLength ||
    a.route - b.route ||
    a.pathIndex - b.pathIndex
  );
}

function nonEmpty<T>(list: T[] | null): T[] | null {
  return list === null || list.length === 0 ? null : list;
}

function routeName(route: NormalizedRoute): string {
  return route.name ?? route.id;
}

function hostRule(raw: string, route: NormalizedRoute): HostRule {
  let host = raw.toLowerCase();
  let port = ANY_PORT;
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && /^\d+$/.test(host.slice(colon + 1))) {
    port = Number(host.slice(colon + 1));
    host = host.slice(0, colon);
  }
  const star = host.indexOf('*');
  if (star === -1) return { kind: HOST_KIND.EXACT, value: host, port };
  if (host.indexOf('*', star + 1) !== -1 || (star !== 0 && star !== host.length - 1)) {
    throw new Error(`route ${routeName(route)}: host "${raw}" may only have one wildcard, at its start or end`);
  }
  return star === 0
    ? { kind: HOST_KIND.SUFFIX, value: host.slice(1), port }
    : { kind: HOST_KIND.PREFIX, value: host.slice(0, -1), port };
}

function headerRules(route: NormalizedRoute, names: string[]): HeaderRule[] {
  const rules: HeaderRule[] = [];
  for (const name of names) {
    const rule: HeaderRule = { name: name.toLowerCase(), values: [], patterns: [] };
    for (const value of route.headers?.[name] ?? []) {
      if (value.startsWith('~*')) {
        const source = value.slice(2);
        checkRegex(source, 'i', route, `header ${name} value "${value}"`);
        rule.patterns.push(source);
      } else {
        rule.values.push(value.toLowerCase());
      }
    }
    rules.push(rule);
  }
  return rules;
}

function regexSource(raw: string, route: NormalizedRoute): string {
  const source = '^' + raw.slice(1).replaceAll('(?P<', '(?<');
  checkRegex(source, 'y', route, `path "${raw}"`);
  return source;
}

/**
 * The literal text every match of an anchored regex source starts with: plain characters
 * and escaped punctuation up to the first metacharacter; a character followed by a
 * quantifier is optional, so it ends the text without being part of it. Any `|` makes the
 * start unknowable cheaply (`^/a|/b`), and so does a leading metacharacter: ''.
 */
export function literalStart(source: string): string {
  if (source.includes('|')) return '';
  let out = '';
  let i = 1; // after '^'
  while (i < source.length) {
    let c = source[i] as string;
    let width = 1;
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) break; // \d, \w, \u…: a class or code, not literal
      c = next;
      width = 2;
    } else if ('.*+?()[]{}^$'.includes(c)) {
      break;
    }
    const after = source[i + width];
    if (after === '?' || after === '*' || after === '{') break;
    out += c;
    if (after === '+') break;
    i += width;
  }
  return out;
}

function checkRegex(source: string, flags: string, route: NormalizedRoute, what: string): void {
  try {
    new RegExp(source, flags);
  } catch (err) {
    throw new Error(`route ${routeName(route)}: invalid regex in ${what}: ${(err as Error).message}`);
  }
}

interface BuildNode {
  label: string;
  children: BuildNode[];
  entries: number[];
}

/** A mutable radix tree, flattened into RadixNode[] (root first, depth-first) once built. */
class TreeBuilder {
  readonly #root: BuildNode = { label: '', children: [], entries: [] };

  insert(key: string, entry: number): void {
    let node = this.#root;
    let at = 0;
    while (at < key.length) {
      const c = key.charCodeAt(at);
      const child = node.children.find((n) => n.label.charCodeAt(0) === c);
      if (child === undefined) {
        const leaf: BuildNode = { label: key.slice(at), children: [], entries: [] };
        node.children.push(leaf);
        node = leaf;
        break;
      }
      const common = commonPrefixLength(child.label, key, at);
      if (common < child.label.length) {
        // Split the edge: child keeps the tail of its label under a new middle node.
        const middle: BuildNode = { label: child.label.slice(0, common), children: [child], entries: [] };
        child.label = child.label.slice(common);
        node.children[node.children.indexOf(child)] = middle;
        node = middle;
      } else {
        node = child;
      }
      at += common;
    }
    node.entries.push(entry); // entries arrive in rank order, so each list stays ascending
  }

  flatten(): RadixNode[] {
    const out: RadixNode[] = [];
    const visit = (node: BuildNode): number => {
      const index = out.length;
      const flat: RadixNode = { label: node.label, firstChars: [], children: [], entries: node.entries };
      out.push(flat);
      const sorted = [...node.children].sort((a, b) => a.label.charCodeAt(0) - b.label.charCodeAt(0));
      for (const child of sorted) {
        flat.firstChars.push(child.label.charCodeAt(0));
        flat.children.push(visit(child));
      }
      return index;
    };
    visit(this.#root);
    return out;
  }
}

function commonPrefixLength(label: string, key: string, at: number): number {
  const max = Math.min(label.length, key.length - at);
  let i = 0;
  while (i < max && label.charCodeAt(i) === key.charCodeAt(at + i)) i++;
  return i;
}
