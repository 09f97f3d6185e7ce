/**
 * request-transformer, compile side (Kong priority 801). Every `name:value` entry is
 * checked with Kong's schema rules and wording, split once, header names lower-cased, and
 * every value parsed as a template (template-parse.ts); an operation Kong would skip for
 * every request (a header entry without a value, adding to Host) is dropped here, so the
 * handler only runs what changes something.
 */
import { ALL_SCOPES, type PluginCompileContext, type PluginDefinition } from '../definition.js';
import { headerPairError, splitPair } from '../transform-pairs.js';
import { requestTransformerSchema } from './schema.js';
import { parseTemplate, type TemplateData } from './template-parse.js';

interface Lists {
  body: string[];
  headers: string[];
  querystring: string[];
}

interface RequestTransformerConfig {
  http_method: string | null;
  remove: Lists;
  rename: Lists;
  replace: Lists & { uri: string | null };
  add: Lists;
  append: Lists;
}

export interface CompiledOp {
  /** Header names lower-case; body and query names as written. */
  name: string;
  value: TemplateData;
}

/** Kong's order: remove, rename, replace, add, append. */
export interface CompiledOps {
  remove: string[];
  rename: CompiledOp[];
  replace: CompiledOp[];
  add: CompiledOp[];
  append: CompiledOp[];
}

export interface CompiledRequestTransformer {
  /** The method sent upstream, or null. */
  method: string | null;
  /** http_method is GET, HEAD or TRACE: a form body's arguments join the query string. */
  mergeForm: boolean;
  uri: TemplateData | null;
  headers: CompiledOps | null;
  query: CompiledOps | null;
  body: CompiledOps | null;
  /** What the templates read (template-parse.ts USES_*): 0 means no request view is built. */
  uses: number;
}

type Target = keyof Lists;
type Operation = Exclude<keyof RequestTransformerConfig, 'http_method'>;
const OPERATIONS: readonly Operation[] = ['remove', 'rename', 'replace', 'add', 'append'];
const FORM_METHODS = new Set(['GET', 'HEAD', 'TRACE']);

class Compiler {
  readonly #ctx: PluginCompileContext;
  uses = 0;

  constructor(ctx: PluginCompileContext) {
    this.#ctx = ctx;
  }

  template(field: string, value: string): TemplateData | null {
    const t = parseTemplate(value);
    if (typeof t === 'string') {
      this.#ctx.error(field, t);
      return null;
    }
    this.uses |= t.uses;
    return t;
  }

  /** The entries of one list, checked as Kong's schema checks them. */
  ops(config: RequestTransformerConfig, op: Operation, target: Target): { names: string[]; pairs: CompiledOp[] } {
    const names: string[] = [];
    const pairs: CompiledOp[] = [];
    config[op][target].forEach((entry, i) => {
      const field = `${op}.${target}[${i}]`;
      const error = this.#check(op, target, entry);
      if (error !== null) return this.#ctx.error(field, error);
      const pair = splitPair(entry) as { name: string; value: string };
      const name = target === 'headers' ? pair.name.toLowerCase() : pair.name;
      if (op === 'remove') {
        names.push(name);
        return;
      }
      // Kong: a header entry without a value changes nothing; Host is never added or appended.
      if (target === 'headers' && (pair.value === '' || (name === 'host' && (op === 'add' || op === 'append')))) return;
      const value = this.template(field, op === 'rename' && target === 'headers' ? pair.value.toLowerCase() : pair.value);
      if (value !== null) pairs.push({ name, value });
    });
    return { names, pairs };
  }

  #check(op: Operation, target: Target, entry: string): string | null {
    if (target === 'headers') {
      if (op === 'remove') return headerPairError(entry, 'none');
      return headerPairError(entry, op === 'rename' ? 'name' : 'value');
    }
    const pair = splitPair(entry);
    if (pair === null) return `invalid value: ${entry}`;
    if (op !== 'remove' && pair.value === '') return `key '${pair.name}' has no value`;
    return null;
  }
}

function section(c: Compiler, config: RequestTransformerConfig, target: Target): CompiledOps | null {
  const out: CompiledOps = { remove: [], rename: [], replace: [], add: [], append: [] };
  let any = false;
  for (const op of OPERATIONS) {
    const { names, pairs } = c.ops(config, op, target);
    if (op === 'remove') out.remove = names.filter((n) => !(target === 'headers' && n === 'host'));
    // Kong drops Host from the headers it renames (and a rename to the same name changes nothing).
    else out[op] = op === 'rename' && target === 'headers' ? pairs.filter((p) => p.name !== 'host' && p.name !== p.value.parts[0]?.text) : pairs;
    any ||= (op === 'remove' ? out.remove.length : out[op].length) > 0;
  }
  return any ? out : null;
}

export const definition: PluginDefinition<RequestTransformerConfig, CompiledRequestTransformer> = {
  name: 'request-transformer',
  version: '3.9.0',
  priority: 801,
  schema: requestTransformerSchema(),
  scopes: ALL_SCOPES,
  compile(config, ctx) {
    const method = config.http_method;
    if (method !== null && !/^[A-Z]+$/.test(method)) ctx.error('http_method', `invalid value: ${method}`);
    const c = new Compiler(ctx);
    const uri = config.replace.uri === null || config.replace.uri === '' ? null : c.template('replace.uri', config.replace.uri);
    const headers = section(c, config, 'headers');
    const query = section(c, config, 'querystring');
    const body = section(c, config, 'body');
    return { method, mergeForm: method !== null && FORM_METHODS.has(method), uri, headers, query, body, uses: c.uses };
  },
};
