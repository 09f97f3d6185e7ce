/**
 * asc transform (`gatehouse plugin build` and `npm run build` pass it to asc): finds which
 * request-phase callbacks any HttpContext subclass of the plugin overrides and writes the
 * bitmask into the SDK's exported `gatehouse_http_callbacks` global. The SDK's base
 * methods are no-ops (Continue / true), so the host skips the callbacks no subclass
 * overrides and the result is exactly the same — a no-op filter makes 2 guest calls per
 * request (context create, delete) instead of 7.
 *
 * It is syntactic and conservative: a class whose base it cannot name (an aliased import,
 * a base outside the parsed sources that is not a library class) makes the mask "all".
 * Bits: 0 onRequestHeaders, 1 onRequestBody, 2 onRequestTrailers, 3 onResponseHeaders,
 * 4 onResponseBody, 5 onResponseTrailers (the host's StreamCallback order), 6 onLog, 7 onDone.
 */
import * as asc from 'assemblyscript';

export const CALLBACK_BITS: Readonly<Record<string, number>> = {
  onRequestHeaders: 0,
  onRequestBody: 1,
  onRequestTrailers: 2,
  onResponseHeaders: 3,
  onResponseBody: 4,
  onResponseTrailers: 5,
  onLog: 6,
  onDone: 7,
};
export const ALL_CALLBACKS = 0xffffffff;
const EXPORT_NAME = 'gatehouse_http_callbacks';
const SDK_EXPORTS = /sdk\/assembly\/exports(\.ts)?$/;
const SDK_CONTEXT = /sdk\/assembly\/context(\.ts)?$/;

/** The slice of asc's AST this transform reads (asc's own types name internal modules). */
interface AstNode {
  kind: number;
  name?: { text: string };
  extendsType?: { name?: { identifier?: { text: string } } } | null;
  members?: AstNode[];
  declarations?: AstNode[];
  initializer?: (AstNode & { value?: unknown }) | null;
}
interface AstSource {
  normalizedPath: string;
  statements: AstNode[];
}
interface ParsedClass {
  base: string | null;
  methods: string[];
  sdk: boolean;
}

const Kind = (asc as unknown as { NodeKind: Record<string, number> }).NodeKind;

function collectClasses(nodes: readonly AstNode[], sdk: boolean, out: Map<string, ParsedClass[]>): void {
  for (const node of nodes) {
    if (node.kind === Kind['ClassDeclaration'] && node.name !== undefined) {
      const methods = (node.members ?? []).filter((m) => m.kind === Kind['MethodDeclaration'] && m.name !== undefined).map((m) => (m.name as { text: string }).text);
      const list = out.get(node.name.text) ?? [];
      list.push({ base: node.extendsType?.name?.identifier?.text ?? null, methods, sdk });
      out.set(node.name.text, list);
    } else if (node.kind === Kind['NamespaceDeclaration'] && node.members !== undefined) {
      collectClasses(node.members, sdk, out);
    }
  }
}

/** The callback mask of a program's sources (library sources are ignored). */
export function callbackMask(sources: readonly AstSource[]): number {
  const classes = new Map<string, ParsedClass[]>();
  for (const source of sources) {
    if (source.normalizedPath.startsWith('~lib/')) continue;
    collectClasses(source.statements, SDK_CONTEXT.test(source.normalizedPath), classes);
  }
  /** true: derives from the SDK's HttpContext; null: cannot tell. */
  const derives = (name: string, seen: Set<string>): boolean | null => {
    if (seen.has(name)) return false;
    seen.add(name);
    const found = classes.get(name);
    if (found === undefined) return null;
    let any = false;
    for (const c of found) {
      if (c.sdk && name === 'HttpContext') return true;
      if (c.base === null) continue;
      const d = derives(c.base, seen);
      if (d === null) return null;
      any ||= d;
    }
    return any;
  };
  let mask = 0;
  for (const [name, list] of classes) {
    for (const c of list) {
      if (c.sdk || c.base === null) continue;
      const d = derives(c.base, new Set([name]));
      if (d === null) return ALL_CALLBACKS;
      if (!d) continue;
      for (const m of c.methods) {
        const bit = CALLBACK_BITS[m];
        if (bit !== undefined) mask |= 1 << bit;
      }
    }
  }
  return mask >>> 0;
}

/** asc loads this module's default export as the transform. */
export default class HttpCallbacksTransform {
  afterParse(parser: { sources: AstSource[] }): void {
    const mask = callbackMask(parser.sources);
    for (const source of parser.sources) {
      if (!SDK_EXPORTS.test(source.normalizedPath)) continue;
      for (const statement of source.statements) {
        for (const decl of statement.declarations ?? []) {
          const init = decl.initializer;
          if (decl.name?.text !== EXPORT_NAME || init === null || init === undefined) continue;
          // i64 literals are Long objects in asc's JS build: make a new one (small values are shared).
          const Long = (init.value as { constructor: new (low: number, high: number, unsigned: boolean) => unknown }).constructor;
          init.value = new Long(mask | 0, 0, false);
        }
      }
    }
  }
}
