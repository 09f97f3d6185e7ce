/**
 * Compile side of key-auth: every enabled key-auth entry validated against its schema
 * (Kong's defaults filled in), `anonymous` resolved to a consumer, and the entry that
 * applies to each route picked as Kong does — route-scoped, then service-scoped, then
 * global. The credential table (key -> credential id, consumer) is built here once per
 * config, only when some route runs key-auth.
 *
 * Errors carry the plugin's path in the file (`services[0].routes[1].plugins[0].config.anonymous`).
 */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { ConfigError, NormalizedConfig, NormalizedPlugin, NormalizedRoute } from '../../config/types.js';
import { pluginSourcePath } from '../../config/normalize-plugins.js';
import { joinPath, pushPluginConfigErrors } from '../../config/schema-errors.js';
import type { CompiledAuth, CompiledConsumer, CompiledKeyAuth, CompiledKeyCredential } from '../auth-types.js';
import { NO_AUTH } from '../auth-types.js';
import { pluginForRoute } from '../scope.js';
import { keyAuthSchema } from './schema.js';

export const KEY_AUTH = 'key-auth';

let validator: ValidateFunction | null = null;

function validatorOnce(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: true, useDefaults: true, allowUnionTypes: true }).compile(keyAuthSchema());
  return validator;
}

interface RawKeyAuth {
  key_names: string[];
  key_in_header: boolean;
  key_in_query: boolean;
  key_in_body: boolean;
  hide_credentials: boolean;
  anonymous: string | null;
  run_on_preflight: boolean;
  realm: string | null;
}

interface Validated {
  plugin: NormalizedPlugin;
  path: string;
  config: RawKeyAuth;
}

/** What a route needs to know to refuse key_in_body where the body is not the gateway's to read. */
export interface RouteBodyOwner {
  /** The route has WASM filters or an AI plugin: they read the request body themselves. */
  readsBody: boolean;
}

export interface KeyAuthCompileResult {
  auth: CompiledAuth;
  /** Indexed like the routes passed in: index into auth.keyAuth, or -1. */
  routeKeyAuth: number[];
  errors: ConfigError[];
}

function validateAll(config: NormalizedConfig, errors: ConfigError[]): Validated[] {
  const validate = validatorOnce();
  const out: Validated[] = [];
  config.plugins.forEach((plugin, index) => {
    if (!plugin.enabled || plugin.name !== KEY_AUTH) return;
    const path = pluginSourcePath(plugin, `plugins[${index}]`);
    if (plugin.consumer !== null) {
      // Kong's no_consumer: an auth plugin cannot depend on the consumer it identifies.
      errors.push({ path: joinPath(path, 'consumer'), message: 'key-auth cannot be scoped to a consumer' });
      return;
    }
    const copy = structuredClone(plugin.config);
    if (!validate(copy)) {
      pushPluginConfigErrors(errors, path, validate.errors);
      return;
    }
    out.push({ plugin, path, config: copy as unknown as RawKeyAuth });
  });
  return out;
}

/** Consumers (by index) and the key table, in config order. */
function consumerTables(config: NormalizedConfig): { consumers: CompiledConsumer[]; keyCredentials: CompiledKeyCredential[] } {
  const consumers: CompiledConsumer[] = [];
  const keyCredentials: CompiledKeyCredential[] = [];
  config.consumers.forEach((c, i) => {
    consumers.push({ id: c.id, username: c.username, customId: c.custom_id });
    for (const k of c.keyauth_credentials ?? []) keyCredentials.push({ key: k.key, id: k.id, consumer: i });
  });
  return { consumers, keyCredentials };
}

/** Kong accepts the anonymous consumer's id or its username. */
function findConsumer(config: NormalizedConfig, ref: string): number {
  const lower = ref.toLowerCase();
  const byId = config.consumers.findIndex((c) => c.id === lower);
  return byId >= 0 ? byId : config.consumers.findIndex((c) => c.username === ref);
}

function compileEntry(v: Validated, config: NormalizedConfig, errors: ConfigError[]): CompiledKeyAuth | null {
  const c = v.config;
  let anonymous = -1;
  if (c.anonymous !== null && c.anonymous !== '') {
    anonymous = findConsumer(config, c.anonymous);
    if (anonymous < 0) {
      errors.push({ path: joinPath(joinPath(v.path, 'config'), 'anonymous'), message: `no consumer with id or username "${c.anonymous}"` });
      return null;
    }
  }
  return {
    plugin: v.plugin.id,
    keyNames: [...c.key_names],
    headerNames: c.key_names.map((n) => n.toLowerCase()),
    inHeader: c.key_in_header,
    inQuery: c.key_in_query,
    inBody: c.key_in_body,
    hideCredentials: c.hide_credentials,
    runOnPreflight: c.run_on_preflight,
    anonymous,
    wwwAuthenticate: c.realm === null ? 'Key' : `Key realm="${c.realm}"`,
    onHttp: v.plugin.protocols.includes('http'),
    onHttps: v.plugin.protocols.includes('https'),
  };
}

export function compileKeyAuth(config: NormalizedConfig, routes: readonly NormalizedRoute[], owners: readonly RouteBodyOwner[]): KeyAuthCompileResult {
  const errors: ConfigError[] = [];
  const validated = validateAll(config, errors);
  if (validated.length === 0) return { auth: NO_AUTH, routeKeyAuth: routes.map(() => -1), errors };
  const keyAuth: CompiledKeyAuth[] = [];
  const indexOf = new Map<Validated, number>();
  const routeKeyAuth = routes.map((route, i) => {
    const v = pluginForRoute(validated, route);
    if (v === undefined) return -1;
    let index = indexOf.get(v);
    if (index === undefined) {
      const compiled = compileEntry(v, config, errors);
      index = compiled === null ? -1 : keyAuth.push(compiled) - 1;
      indexOf.set(v, index);
    }
    if (index >= 0 && v.config.key_in_body && owners[i]?.readsBody === true) {
      errors.push({
        path: joinPath(joinPath(v.path, 'config'), 'key_in_body'),
        message: `not supported on route ${route.name ?? route.id}: its WASM filters or AI plugin read the request body`,
      });
    }
    return index;
  });
  // An entry no route uses (its routes are disabled) still has its anonymous checked.
  for (const v of validated) if (!indexOf.has(v)) compileEntry(v, config, errors);
  if (keyAuth.length === 0) return { auth: NO_AUTH, routeKeyAuth, errors };
  return { auth: { ...consumerTables(config), keyAuth }, routeKeyAuth, errors };
}
