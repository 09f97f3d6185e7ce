/**
 * request-transformer's operations, worker side, in Kong's order: remove, rename,
 * replace, add, append (access.lua of Kong 3.x).
 *
 *   HeaderOps  on the request's header list. Presence is checked on the list as the
 *              earlier operations left it (Kong edits one table); Host is Kong's special
 *              case: replace (or a rename to it) sets the Host sent upstream.
 *   ArgOps     on an ArgStore (query table, JSON object, form table) or a multipart body:
 *              with an empty body only add and append apply, as in Kong; a present value
 *              is a Lua-true one (JSON false counts as absent, as there).
 */
import type { PluginRequest } from '../contract.js';
import { appendValue, luaTruthy } from '../transform-pairs.js';
import type { ArgStore } from './args.js';
import type { CompiledOp, CompiledOps } from './definition.js';
import { asBytes, type MultipartBody } from './multipart.js';
import { Template, type TemplateEnv } from './template.js';

class Op {
  readonly name: string;
  readonly value: Template;
  constructor(c: CompiledOp) {
    this.name = c.name;
    this.value = new Template(c.value);
  }
}

const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/g;
const NOT_LATIN1 = /[^\x00-\xff]/;

/** A rendered value as a header value: control characters dropped, text beyond latin1 as its UTF-8 bytes. */
function headerValue(op: Op, env: TemplateEnv | null): string {
  const literal = op.value.literal;
  if (literal !== null) return literal;
  const v = op.value.render(env).replace(CONTROL, '');
  return NOT_LATIN1.test(v) ? asBytes(v) : v;
}

class Ops {
  readonly remove: readonly string[];
  readonly rename: readonly Op[];
  readonly replace: readonly Op[];
  readonly add: readonly Op[];
  readonly append: readonly Op[];
  constructor(c: CompiledOps) {
    this.remove = c.remove;
    this.rename = c.rename.map((o) => new Op(o));
    this.replace = c.replace.map((o) => new Op(o));
    this.add = c.add.map((o) => new Op(o));
    this.append = c.append.map((o) => new Op(o));
  }
}

export class HeaderOps extends Ops {
  apply(req: PluginRequest, env: TemplateEnv | null): void {
    for (const name of this.remove) req.removeHeader(name);
    for (const op of this.rename) renameHeader(req, op.name, op.value.literal as string);
    for (const op of this.replace) {
      if (op.name !== 'host') {
        if (req.header(op.name) !== undefined) req.setHeader(op.name, headerValue(op, env));
        continue;
      }
      // Host is always set (a template that renders nothing leaves the upstream's).
      const host = headerValue(op, env);
      if (host !== '') req.setHeader('host', host);
    }
    for (const op of this.add) if (req.header(op.name) === undefined) req.addHeader(op.name, headerValue(op, env));
    for (const op of this.append) req.addHeader(op.name, headerValue(op, env));
  }
}

function renameHeader(req: PluginRequest, from: string, to: string): void {
  const headers = req.headers;
  let values: string[] | null = null;
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === from) (values ??= []).push(headers[i + 1] as string);
  if (values === null) return;
  req.removeHeader(from);
  if (to === 'host') {
    req.setHeader(to, values[0] as string);
    return;
  }
  req.removeHeader(to);
  for (const v of values) req.addHeader(to, v);
}

export class ArgOps extends Ops {
  /** Applies every operation; whether Kong would re-encode (something was removed, renamed, replaced, added or appended). */
  apply(store: ArgStore, env: TemplateEnv | null, hasContent: boolean): boolean {
    let changed = false;
    if (hasContent) {
      for (const name of this.remove) {
        store.delete(name);
        changed = true;
      }
      for (const op of this.rename) {
        const to = op.value.render(env);
        const v = store.get(op.name);
        if (to === op.name || !luaTruthy(v)) continue;
        store.delete(op.name);
        store.set(to, v);
        changed = true;
      }
      for (const op of this.replace) {
        if (!luaTruthy(store.get(op.name))) continue;
        store.set(op.name, op.value.render(env));
        changed = true;
      }
    }
    for (const op of this.add) {
      if (luaTruthy(store.get(op.name))) continue;
      store.set(op.name, op.value.render(env));
      changed = true;
    }
    for (const op of this.append) {
      store.set(op.name, appendValue(store.get(op.name), op.value.render(env)));
      changed = true;
    }
    return changed;
  }

  /** Kong's multipart order (rename before remove) and set_simple; there is no append for multipart in Kong. */
  applyMultipart(body: MultipartBody, env: TemplateEnv | null, hasContent: boolean): boolean {
    let changed = false;
    if (hasContent) {
      for (const op of this.rename) {
        const from = asBytes(op.name);
        const to = asBytes(op.value.render(env));
        const v = body.value(from);
        if (v === undefined || from === to) continue;
        body.setSimple(to, v);
        body.delete(from);
        changed = true;
      }
      for (const name of this.remove) {
        body.delete(asBytes(name));
        changed = true;
      }
      for (const op of this.replace) {
        const name = asBytes(op.name);
        if (body.value(name) === undefined) continue;
        body.delete(name);
        body.setSimple(name, asBytes(op.value.render(env)));
        changed = true;
      }
    }
    for (const op of this.add) {
      const name = asBytes(op.name);
      if (body.value(name) !== undefined) continue;
      body.setSimple(name, asBytes(op.value.render(env)));
      changed = true;
    }
    return changed;
  }
}
