/**
 * Stage 2 for plugins: every plugin entity validated against its definition's schema
 * (Kong's defaults filled in) and compiled once; then, per route, one ordered chain.
 *
 *   entity ──► definition? ── no ──► `<path>.name: plugin "x" is not available`
 *          ──► scope allowed? ──► config schema (ajv) ──► definition.compile ──► instance
 *   route  ──► per plugin name, Kong's precedence (below) ──► steps sorted by priority
 *
 * Kong's precedence among entities of one name for a request (most specific first):
 * consumer+route+service, consumer+route, consumer+service, route+service, consumer,
 * route, service, global. A step keeps the instance that applies when no consumer-scoped
 * entity does (`instance`) and, per consumer with a more specific entity, that one
 * (`byConsumer`); the worker picks between them once the auth plugins have run.
 *
 * Disabled entities are validated (as Kong does) but join no chain. Errors carry the
 * entity's path in the file (`services[0].routes[1].plugins[0].config.anonymous`).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { ConfigError, NormalizedConfig, NormalizedPlugin, NormalizedRoute } from '../config/types.js';
import { pluginSourcePath } from '../config/normalize-plugins.js';
import { joinPath, pushPluginConfigErrors } from '../config/schema-errors.js';
import { runsOn } from '../config/protocols.js';
import type { ChainView, PluginCompileContext, PluginDefinition } from './definition.js';
import { DEFINITIONS } from './definitions.js';
import { LUA_ONLY_PLUGINS } from './registry.js';
import type { CompiledChain, CompiledConsumer, CompiledPluginInstance, CompiledPlugins, CompiledStep } from './types.js';

type AnyDefinition = PluginDefinition<never, unknown>;

/** A step that does not come from a plugin entity (a route's WASM filter chain). */
export interface ExtraStep {
  name: string;
  priority: number;
  config: unknown;
}

export interface PluginCompileResult {
  plugins: CompiledPlugins;
  errors: ConfigError[];
}

const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true, allowUnionTypes: true, formats: { uri: true } });
const validators = new WeakMap<AnyDefinition, ValidateFunction>();

function validatorOf(def: AnyDefinition): ValidateFunction {
  let v = validators.get(def);
  if (v === undefined) {
    v = ajv.compile(def.schema);
    validators.set(def, v);
  }
  return v;
}

/** One validated, compiled entity. */
interface Entity {
  plugin: NormalizedPlugin;
  def: AnyDefinition;
  instance: number;
  /** Where it is in the file. */
  path: string;
}

function consumerTable(config: NormalizedConfig): { consumers: CompiledConsumer[]; indexOf: (ref: string) => number } {
  const consumers = config.consumers.map((c) => ({ id: c.id, username: c.username, customId: c.custom_id }));
  const byId = new Map<string, number>();
  const byName = new Map<string, number>();
  consumers.forEach((c, i) => {
    byId.set(c.id, i);
    if (c.username !== null) byName.set(c.username, i);
  });
  return { consumers, indexOf: (ref) => byId.get(ref.toLowerCase()) ?? byName.get(ref) ?? -1 };
}

function notAvailable(name: string): string {
  const lua = LUA_ONLY_PLUGINS[name];
  return lua === undefined ? `plugin "${name}" is not available` : `plugin "${name}" is not available: it ${lua}`;
}

/** Validates and compiles every entity; enabled ones become instances. */
function compileEntities(config: NormalizedConfig, indexOf: (ref: string) => number, errors: ConfigError[]): { entities: Entity[]; instances: CompiledPluginInstance[] } {
  const entities: Entity[] = [];
  const instances: CompiledPluginInstance[] = [];
  config.plugins.forEach((plugin, index) => {
    const path = pluginSourcePath(plugin, `plugins[${index}]`);
    const def = DEFINITIONS.get(plugin.name);
    if (def === undefined) {
      errors.push({ path: joinPath(path, 'name'), message: notAvailable(plugin.name) });
      return;
    }
    if (plugin.consumer !== null && !def.scopes.consumer) {
      errors.push({ path: joinPath(path, 'consumer'), message: `${plugin.name} cannot be scoped to a consumer` });
      return;
    }
    if (plugin.route !== null && !def.scopes.route) {
      errors.push({ path: joinPath(path, 'route'), message: `${plugin.name} cannot be scoped to a route` });
      return;
    }
    if (plugin.service !== null && !def.scopes.service) {
      errors.push({ path: joinPath(path, 'service'), message: `${plugin.name} cannot be scoped to a service` });
      return;
    }
    const copy = structuredClone(plugin.config);
    const validate = validatorOf(def);
    if (!validate(copy)) {
      pushPluginConfigErrors(errors, path, validate.errors);
      return;
    }
    const before = errors.length;
    const ctx: PluginCompileContext = {
      config,
      plugin,
      path,
      error: (field, message) => errors.push({ path: field === '' ? joinPath(path, 'config') : joinPath(joinPath(path, 'config'), field), message }),
      consumerIndex: indexOf,
      errors,
    };
    const compiled = def.compile(copy as never, ctx);
    if (errors.length > before || !plugin.enabled) return;
    const instance =
      instances.push({
        name: plugin.name,
        id: plugin.id,
        config: compiled,
        onHttp: runsOn(plugin, 'http'),
        onHttps: runsOn(plugin, 'https'),
        global: plugin.route === null && plugin.service === null && plugin.consumer === null,
      }) - 1;
    entities.push({ plugin, def, instance, path });
  });
  return { entities, instances };
}

/** Rank of an entity for a route (lower wins), or -1 when it does not apply; consumer-scoped ranks are below 4. */
function rankFor(p: NormalizedPlugin, route: NormalizedRoute): number {
  if (p.route !== null && p.route !== route.id) return -1;
  if (p.service !== null && p.service !== route.service) return -1;
  const r = p.route !== null;
  const s = p.service !== null;
  if (p.consumer !== null) return r && s ? 0 : r ? 1 : s ? 2 : 4;
  return r && s ? 3 : r ? 5 : s ? 6 : 7;
}

/** One step for one plugin name on one route, or null when no entity of that name applies. */
function stepFor(name: string, list: readonly Entity[], route: NormalizedRoute, consumerIndex: (ref: string) => number): CompiledStep | null {
  let best: Entity | null = null;
  let bestRank = 99;
  // Per consumer, its most specific consumer-scoped entity.
  let perConsumer: Map<number, { entity: Entity; rank: number }> | null = null;
  for (const e of list) {
    const rank = rankFor(e.plugin, route);
    if (rank < 0) continue;
    if (e.plugin.consumer === null) {
      if (rank < bestRank) {
        best = e;
        bestRank = rank;
      }
      continue;
    }
    const c = consumerIndex(e.plugin.consumer);
    if (c < 0) continue;
    perConsumer ??= new Map();
    const prev = perConsumer.get(c);
    if (prev === undefined || rank < prev.rank) perConsumer.set(c, { entity: e, rank });
  }
  let byConsumer: [number, number][] | null = null;
  if (perConsumer !== null) {
    for (const [c, { entity, rank }] of perConsumer) {
      // route+service (rank 3) outranks a consumer-only entity (rank 4).
      if (rank > bestRank) continue;
      (byConsumer ??= []).push([c, entity.instance]);
    }
  }
  if (best === null && byConsumer === null) return null;
  return { name, instance: best === null ? -1 : best.instance, byConsumer };
}

interface RankedStep {
  step: CompiledStep;
  priority: number;
}

function byPriority(a: RankedStep, b: RankedStep): number {
  return b.priority - a.priority || (a.step.name < b.step.name ? -1 : a.step.name > b.step.name ? 1 : 0);
}

export function compilePlugins(config: NormalizedConfig, routes: readonly NormalizedRoute[], extraSteps: readonly (readonly ExtraStep[] | null)[] = []): PluginCompileResult {
  const errors: ConfigError[] = [];
  const { consumers, indexOf } = consumerTable(config);
  const { entities, instances } = compileEntities(config, indexOf, errors);

  const byName = new Map<string, Entity[]>();
  for (const e of entities) {
    const list = byName.get(e.plugin.name);
    if (list === undefined) byName.set(e.plugin.name, [e]);
    else list.push(e);
  }
  const shared: Record<string, unknown> = {};
  for (const [name, list] of byName) {
    const def = list[0]?.def;
    if (def?.shared !== undefined) shared[name] = def.shared(config, errors);
  }

  const chains = routes.map((route, r): CompiledChain | null => {
    const ranked: RankedStep[] = [];
    for (const [name, list] of byName) {
      const step = stepFor(name, list, route, indexOf);
      if (step !== null) ranked.push({ step, priority: (list[0] as Entity).def.priority });
    }
    for (const extra of extraSteps[r] ?? []) {
      const instance = instances.push({ name: extra.name, id: `${extra.name}:${route.id}`, config: extra.config, onHttp: true, onHttps: true, global: false }) - 1;
      ranked.push({ step: { name: extra.name, instance, byConsumer: null }, priority: extra.priority });
    }
    if (ranked.length === 0) return null;
    ranked.sort(byPriority);
    const chain: CompiledChain = { steps: ranked.map((s) => s.step) };
    checkChain(chain, route, byName, instances, errors);
    return chain;
  });

  const globals: RankedStep[] = [];
  for (const e of entities) {
    const p = e.plugin;
    if (p.route === null && p.service === null && p.consumer === null) globals.push({ step: { name: p.name, instance: e.instance, byConsumer: null }, priority: e.def.priority });
  }
  globals.sort(byPriority);
  const noRoute = globals.length === 0 ? null : { steps: globals.map((s) => s.step) };
  return { plugins: { consumers, instances, shared, chains, noRoute }, errors };
}

/** Runs the definitions' chain-wide checks (e.g. a prompt plugin needs ai-proxy on its route). */
function checkChain(chain: CompiledChain, route: NormalizedRoute, byName: ReadonlyMap<string, Entity[]>, instances: readonly CompiledPluginInstance[], errors: ConfigError[]): void {
  const names = chain.steps.map((s) => s.name);
  const entityFor = (name: string): Entity | undefined => {
    const step = chain.steps.find((s) => s.name === name);
    return step === undefined ? undefined : byName.get(name)?.find((e) => e.instance === step.instance);
  };
  const view: ChainView = {
    routeName: route.name ?? route.id,
    names,
    scopedToRoute: (name) => entityFor(name)?.plugin.route === route.id,
    compiled: (name) => {
      const step = chain.steps.find((s) => s.name === name);
      return step === undefined || step.instance < 0 ? undefined : instances[step.instance]?.config;
    },
    error: (name, field, message) => {
      const e = entityFor(name);
      const path = e === undefined ? `routes[${route.id}]` : e.path;
      errors.push({ path: field === '' ? path : joinPath(joinPath(path, 'config'), field), message });
    },
  };
  const seen = new Set<AnyDefinition>();
  for (const name of names) {
    const def = byName.get(name)?.[0]?.def;
    if (def?.checkChain === undefined || seen.has(def)) continue;
    seen.add(def);
    def.checkChain(view);
  }
}
