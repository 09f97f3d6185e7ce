/**
 * Worker side: the compiled chains made live once per config version, and the phase
 * runners the pipeline calls.
 *
 *   CompiledPlugins ──► one handler per instance (module.create) ──► per listener scheme,
 *   per route: RouteChain { rewrite, access, requestBody, response, body, log: Step[] | null,
 *   responder }
 *
 * A phase no step implements is null, so the pipeline skips it with one test; a route
 * without plugins has no chain at all. Runners are synchronous until a step returns a
 * promise (fastify's hook runner): no promise, closure or array per request otherwise.
 */
import type { PluginEnv, PluginHandler, PluginHandlerModule, PluginRequest } from './contract.js';
import type { Consumer } from './consumer.js';
import type { CompiledChain, CompiledPlugins } from './types.js';

type Phase = 'rewrite' | 'access' | 'requestBody' | 'respond' | 'response' | 'body' | 'log';

export class Step {
  readonly name: string;
  /** The step's index in its chain: the slot its per-request state lives in. */
  readonly slot: number;
  /** The handler when no consumer-specific one applies (null: skipped then). */
  readonly handler: PluginHandler | null;
  readonly byConsumer: ReadonlyMap<Consumer, PluginHandler> | null;
  constructor(name: string, slot: number, handler: PluginHandler | null, byConsumer: ReadonlyMap<Consumer, PluginHandler> | null) {
    this.name = name;
    this.slot = slot;
    this.handler = handler;
    this.byConsumer = byConsumer;
  }

  implements(phase: Phase): boolean {
    if (this.handler !== null && typeof this.handler[phase] === 'function') return true;
    if (this.byConsumer !== null) for (const h of this.byConsumer.values()) if (typeof h[phase] === 'function') return true;
    return false;
  }
}

/** What the runners need of a request beyond the plugin API. */
export interface ChainRequest extends PluginRequest {
  readonly consumer: Consumer | null;
  /** Per slot: the handler picked for this request (consumer-scoped chains only), else null. */
  resolved: (PluginHandler | null)[] | null;
}

export class RouteChain {
  /** Number of slots (steps). */
  readonly size: number;
  readonly steps: readonly Step[];
  readonly rewrite: readonly Step[] | null;
  readonly access: readonly Step[] | null;
  readonly requestBody: readonly Step[] | null;
  readonly response: readonly Step[] | null;
  readonly body: readonly Step[] | null;
  readonly log: readonly Step[] | null;
  /** The step that answers instead of the upstream, or null (proxied). */
  readonly responder: Step | null;
  /** Some step depends on the consumer: handlers are picked per request. */
  readonly consumerScoped: boolean;

  constructor(steps: readonly Step[], rewriteOk: (step: Step) => boolean) {
    this.size = steps.length;
    this.steps = steps;
    const of = (phase: Phase, extra: (s: Step) => boolean = () => true): readonly Step[] | null => {
      const list = steps.filter((s) => s.implements(phase) && extra(s));
      return list.length === 0 ? null : list;
    };
    this.rewrite = of('rewrite', rewriteOk);
    this.access = of('access');
    this.requestBody = of('requestBody');
    this.response = of('response');
    this.body = of('body');
    this.log = of('log');
    const responders = steps.filter((s) => s.implements('respond'));
    if (responders.length > 1) throw new Error(`plugins ${responders.map((s) => s.name).join(' and ')} both answer requests; a route can have one`);
    this.responder = responders[0] ?? null;
    this.consumerScoped = steps.some((s) => s.byConsumer !== null);
  }
}

/** The live chains of one config version for one listener scheme. */
export interface LiveChains {
  /** Indexed like the routes; null = no plugins. */
  readonly routes: readonly (RouteChain | null)[];
  /** Global plugins' response and log phases for requests no route matched, or null. */
  readonly noRoute: RouteChain | null;
}

export interface LivePlugins {
  readonly http: LiveChains;
  readonly https: LiveChains;
  /** Every handler of this version (closed when the version is retired). */
  readonly handlers: readonly PluginHandler[];
}

/**
 * Builds every handler once, then the chains for both schemes. `modules` resolves a plugin
 * name to its handler module (the registry's, plus the gateway's internal step kinds).
 * Throws when a handler cannot be built: the worker keeps its previous version.
 */
export function materializePlugins(
  compiled: CompiledPlugins,
  env: PluginEnv,
  modules: (name: string) => PluginHandlerModule<unknown, unknown> | undefined,
): LivePlugins {
  const shared = new Map<string, unknown>();
  const moduleOf = (name: string): PluginHandlerModule<unknown, unknown> => {
    const m = modules(name);
    if (m === undefined) throw new Error(`no handler for plugin ${name}`);
    if (!shared.has(name)) shared.set(name, m.shared === undefined ? undefined : m.shared(compiled.shared[name], env));
    return m;
  };
  const handlers = compiled.instances.map((inst) => moduleOf(inst.name).create(inst.config, env, shared.get(inst.name)));
  const build = (scheme: 'http' | 'https'): LiveChains => {
    const runs = (i: number): PluginHandler | null => {
      const inst = compiled.instances[i];
      if (inst === undefined) return null;
      return (scheme === 'http' ? inst.onHttp : inst.onHttps) ? (handlers[i] ?? null) : null;
    };
    const chainOf = (c: CompiledChain | null, rewriteOk: (s: Step) => boolean): RouteChain | null => {
      if (c === null) return null;
      const steps: Step[] = [];
      for (const s of c.steps) {
        let byConsumer: Map<Consumer, PluginHandler> | null = null;
        for (const [consumer, instance] of s.byConsumer ?? []) {
          const h = runs(instance);
          const who = env.consumers[consumer];
          if (h !== null && who !== undefined) (byConsumer ??= new Map()).set(who, h);
        }
        const handler = s.instance < 0 ? null : runs(s.instance);
        if (handler === null && byConsumer === null) continue;
        steps.push(new Step(s.name, steps.length, handler, byConsumer));
      }
      return steps.length === 0 ? null : new RouteChain(steps, rewriteOk);
    };
    // Kong runs `rewrite` only for global plugins (no route or consumer is known yet).
    const globalHandlers = new Set(compiled.instances.flatMap((inst, i) => (inst.global ? [handlers[i]] : [])));
    const rewriteOk = (s: Step): boolean => s.handler !== null && globalHandlers.has(s.handler);
    return {
      routes: compiled.chains.map((c) => chainOf(c, rewriteOk)),
      noRoute: chainOf(compiled.noRoute, rewriteOk),
    };
  };
  return { http: build('http'), https: build('https'), handlers };
}

/** The handler of `step` for this request: consumer-specific ones are picked once, in access. */
function handlerOf(req: ChainRequest, step: Step): PluginHandler | null {
  if (step.byConsumer === null) return step.handler;
  const resolved = req.resolved;
  if (resolved !== null) {
    const h = resolved[step.slot];
    if (h !== undefined) return h;
  }
  return step.handler;
}

/** Picks the consumer-specific handler of `step` now (access order: after the auth plugins above it ran). */
function resolveAt(req: ChainRequest, step: Step, size: number): PluginHandler | null {
  if (step.byConsumer === null) return step.handler;
  const consumer = req.consumer;
  const h = consumer === null ? step.handler : (step.byConsumer.get(consumer) ?? step.handler);
  const resolved = (req.resolved ??= new Array<PluginHandler | null>(size).fill(null));
  resolved[step.slot] = h;
  return h;
}

/** rewrite then access, in order; stops at an exit. A promise only when a step returned one. */
export function runAccess(req: ChainRequest, chain: RouteChain): void | Promise<void> {
  const rewrite = chain.rewrite;
  if (rewrite !== null) {
    const r = runSteps(req, rewrite, 0, 'rewrite', chain.size);
    if (r !== undefined) return r.then(() => (req.exited || chain.access === null ? undefined : runSteps(req, chain.access, 0, 'access', chain.size)));
  }
  if (req.exited || chain.access === null) return;
  return runSteps(req, chain.access, 0, 'access', chain.size);
}

function runSteps(req: ChainRequest, steps: readonly Step[], from: number, phase: 'rewrite' | 'access', size: number): void | Promise<void> {
  for (let i = from; i < steps.length; i++) {
    if (req.exited) return;
    const step = steps[i] as Step;
    const h = phase === 'access' ? resolveAt(req, step, size) : step.handler;
    const fn = h?.[phase];
    if (fn === undefined) continue;
    const r = fn.call(h, req, step.slot);
    if (r !== undefined) return r.then(() => runSteps(req, steps, i + 1, phase, size));
  }
}

/** A request-body chunk through the streaming steps; null when one answered (exit). */
export function runRequestBody(req: ChainRequest, steps: readonly Step[], chunk: Buffer, last: boolean): Buffer | null {
  let data = chunk;
  for (const step of steps) {
    const h = handlerOf(req, step);
    if (h?.requestBody === undefined) continue;
    const out = h.requestBody(req, step.slot, data, last);
    if (out === null) return null;
    data = out;
  }
  return data;
}

/** The response (header_filter) phase; a promise only when a step returned one. */
export function runResponse(req: ChainRequest, steps: readonly Step[], from = 0): void | Promise<void> {
  for (let i = from; i < steps.length; i++) {
    const step = steps[i] as Step;
    const h = handlerOf(req, step);
    if (h?.response === undefined) continue;
    const r = h.response(req, step.slot);
    if (r !== undefined) return r.then(() => runResponse(req, steps, i + 1));
  }
}

/** One response chunk through the body (body_filter) steps. */
export function runBody(req: ChainRequest, steps: readonly Step[], chunk: Buffer, last: boolean): Buffer {
  let data = chunk;
  for (const step of steps) {
    const h = handlerOf(req, step);
    if (h?.body === undefined) continue;
    data = h.body(req, step.slot, data, last);
  }
  return data;
}

/** The log phase; a step that throws is reported and the others still run. */
export function runLog(req: ChainRequest, steps: readonly Step[], warn: (plugin: string, message: string) => void): void {
  for (const step of steps) {
    const h = handlerOf(req, step);
    if (h?.log === undefined) continue;
    try {
      h.log(req, step.slot);
    } catch (err) {
      warn(step.name, `log phase failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
