/**
 * request-transformer's templates, compile side: a value with `$(…)` placeholders is split
 * once into literal text and expressions, as plain data the handler renders per request.
 *
 * Kong evaluates a placeholder as a Lua expression in its sandbox. Gatehouse takes the
 * part of that language Kong's documentation shows for this plugin:
 *
 *   expr  := term ('or' term)*        the first term that is not nil; nil renders as ''
 *   term  := 'text' | "text"          a quoted string (also how Kong escapes a `$(`)
 *          | headers.name | headers["Name"]              a request header, any case
 *          | query_params.name | query_params["name"]    a query argument
 *          | uri_captures.name | uri_captures["name"] | uri_captures[1]   the route's regex groups
 *
 * Anything else (function calls, `..`, `shared`, Lua code) is refused at config time with
 * Kong's "is not in supported format" wording: a placeholder is never left in a value.
 */

export const TermKind = { TEXT: 0, HEADER: 1, QUERY: 2, CAPTURE: 3 } as const;

export interface TemplateTerm {
  kind: number;
  /** TEXT: the text; HEADER: the lower-case name; QUERY: the argument; CAPTURE: the group name ('' for a number). */
  key: string;
  /** HEADER: the name with `_` read as `-` when that differs (ngx's lookup fallback), else ''. */
  alt: string;
  /** CAPTURE by number (1 and up), else 0. */
  index: number;
}

export interface TemplatePart {
  /** Literal text, when `terms` is null. */
  text: string;
  /** A placeholder: an `or` chain of terms. */
  terms: TemplateTerm[] | null;
}

/** What a template reads (TemplateData.uses): the handler snapshots only that. */
export const USES_HEADERS = 1;
export const USES_QUERY = 2;
export const USES_CAPTURES = 4;

export interface TemplateData {
  parts: TemplatePart[];
  /** USES_* bits; 0: a plain string. */
  uses: number;
}

const SUPPORTED = 'Gatehouse renders headers.<name>, query_params.<name>, uri_captures.<name or number>, quoted strings and `or`';
const ROOTS: Readonly<Record<string, number>> = { headers: TermKind.HEADER, query_params: TermKind.QUERY, uri_captures: TermKind.CAPTURE };
const USES: Readonly<Record<number, number>> = { [TermKind.HEADER]: USES_HEADERS, [TermKind.QUERY]: USES_QUERY, [TermKind.CAPTURE]: USES_CAPTURES };
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };

/** A parse step's result: what it read and where it stopped, or an error message. */
type Step<T> = { value: T; end: number } | string;

function isIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 0x30 && c <= 0x39);
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  return i;
}

function identifier(s: string, i: number): Step<string> {
  if (!isIdentStart(s.charCodeAt(i))) return `expected a name at '${s.slice(i, i + 12)}'`;
  let end = i + 1;
  while (isIdentChar(s.charCodeAt(end))) end++;
  return { value: s.slice(i, end), end };
}

function quoted(s: string, i: number): Step<string> {
  const quote = s[i];
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j] as string;
    if (c === quote) return { value: out, end: j + 1 };
    if (c !== '\\') {
      out += c;
      continue;
    }
    const escaped = ESCAPES[s[j + 1] ?? ''];
    if (escaped === undefined) return `unsupported escape '\\${s[j + 1] ?? ''}' in a string`;
    out += escaped;
    j++;
  }
  return 'unfinished string';
}

/** `.name`, `["name"]` or `[N]` after a root. */
function key(s: string, i: number, kind: number): Step<{ key: string; index: number }> {
  if (s[i] === '.') {
    const id = identifier(s, i + 1);
    return typeof id === 'string' ? id : { value: { key: id.value, index: 0 }, end: id.end };
  }
  if (s[i] !== '[') return `expected '.' or '[' at '${s.slice(i, i + 12)}'`;
  let j = skipSpace(s, i + 1);
  let found: { key: string; index: number };
  if (s[j] === '"' || s[j] === "'") {
    const q = quoted(s, j);
    if (typeof q === 'string') return q;
    found = { key: q.value, index: 0 };
    j = q.end;
  } else {
    const digits = /^[0-9]+/.exec(s.slice(j));
    if (digits === null || kind !== TermKind.CAPTURE) return `expected a quoted name at '${s.slice(j, j + 12)}'`;
    found = { key: '', index: Number(digits[0]) };
    j += digits[0].length;
  }
  j = skipSpace(s, j);
  if (s[j] !== ']') return `expected ']' at '${s.slice(j, j + 12)}'`;
  return { value: found, end: j + 1 };
}

function term(s: string, i: number): Step<TemplateTerm> {
  if (s[i] === '"' || s[i] === "'") {
    const q = quoted(s, i);
    return typeof q === 'string' ? q : { value: { kind: TermKind.TEXT, key: q.value, alt: '', index: 0 }, end: q.end };
  }
  const root = identifier(s, i);
  if (typeof root === 'string') return root;
  const kind = ROOTS[root.value];
  if (kind === undefined) return `'${root.value}' is not supported`;
  const k = key(s, root.end, kind);
  if (typeof k === 'string') return k;
  if (kind !== TermKind.HEADER) return { value: { kind, key: k.value.key, alt: '', index: k.value.index }, end: k.end };
  // ngx's request-header table: lower-case names, `_` read as `-` when the name is not found.
  const lower = k.value.key.toLowerCase();
  const dashed = lower.replace(/_/g, '-');
  return { value: { kind, key: lower, alt: dashed === lower ? '' : dashed, index: 0 }, end: k.end };
}

/** The `or` chain from `start` (just after `$(`) to its closing `)`. */
function expression(s: string, start: number): Step<TemplateTerm[]> {
  const terms: TemplateTerm[] = [];
  let i = start;
  for (;;) {
    const t = term(s, skipSpace(s, i));
    if (typeof t === 'string') return t;
    terms.push(t.value);
    i = skipSpace(s, t.end);
    if (s[i] === ')') return { value: terms, end: i + 1 };
    if (s.startsWith('or', i) && !isIdentChar(s.charCodeAt(i + 2))) {
      i += 2;
      continue;
    }
    return i >= s.length ? "missing ')'" : `unexpected '${s.slice(i, i + 12)}'`;
  }
}

/**
 * The template of a config value, or Kong's error message for it. Placeholders that
 * always render the same (`$('text')`) are folded into the text; a value without a
 * variable part is one literal part with `uses` 0.
 */
export function parseTemplate(value: string): TemplateData | string {
  const parts: TemplatePart[] = [];
  let uses = 0;
  let text = '';
  let i = 0;
  for (;;) {
    const at = value.indexOf('$(', i);
    if (at < 0) break;
    const expr = expression(value, at + 2);
    if (typeof expr === 'string') return `value '${value}' is not in supported format, error: ${expr} (${SUPPORTED})`;
    text += value.slice(i, at);
    i = expr.end;
    // A quoted string is never nil: the chain ends there.
    const fixed = expr.value.findIndex((t) => t.kind === TermKind.TEXT);
    const terms = fixed < 0 ? expr.value : expr.value.slice(0, fixed + 1);
    if (terms.length === 1 && fixed === 0) {
      text += (terms[0] as TemplateTerm).key;
      continue;
    }
    if (text !== '') parts.push({ text, terms: null });
    text = '';
    parts.push({ text: '', terms });
    for (const t of terms) uses |= USES[t.kind] ?? 0;
  }
  text += value.slice(i);
  if (text !== '' || parts.length === 0) parts.push({ text, terms: null });
  return { parts, uses };
}
