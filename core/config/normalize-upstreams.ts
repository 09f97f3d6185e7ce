/**
 * Upstreams and targets: Kong defaults (healthchecks merged field by field), Kong's
 * hash_on/hash_fallback entity checks, and targets (nested or top-level) parsed into
 * host and port and attached to their upstream.
 */
import { isIP } from 'node:net';
import type { RawTarget, RawUpstream } from './document-types.js';
import type { NormalizeContext } from './normalize-context.js';
import type { NormalizedTarget, NormalizedUpstream } from './types.js';
import { deriveId } from './ids.js';
import { joinPath } from './schema-errors.js';
import { HOST_PATTERN } from './schema/typedefs.js';
import { HEALTHCHECKS_DEFAULTS, TARGET_DEFAULTS, UPSTREAM_DEFAULTS } from './schema/upstream.js';

const HOST = new RegExp(HOST_PATTERN);

export interface PlacedUpstream {
  raw: RawUpstream;
  path: string;
  id: string;
}

export function registerUpstreams(ctx: NormalizeContext, upstreams: RawUpstream[] | undefined): PlacedUpstream[] {
  const placed: PlacedUpstream[] = [];
  for (const { item, path, bad } of ctx.items(upstreams, 'upstreams', true)) {
    const name = typeof item.name === 'string' ? item.name.toLowerCase() : undefined;
    const id = ctx.upstreams.register(ctx, path, item, name, name ?? `#${path}`);
    if (!bad) placed.push({ raw: item, path, id });
  }
  return placed;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Defaults overlaid with what the file sets, record by record (arrays replace). */
export function mergeDefaults(defaults: Record<string, unknown>, given: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, dflt] of Object.entries(defaults)) {
    const value = given?.[key];
    if (isPlainObject(dflt)) out[key] = mergeDefaults(dflt, isPlainObject(value) ? value : undefined);
    else if (value !== undefined) out[key] = structuredClone(value);
    else out[key] = structuredClone(dflt);
  }
  return out;
}

const HASH_FIELDS: Record<string, { on: keyof RawUpstream; fallback: keyof RawUpstream }> = {
  header: { on: 'hash_on_header', fallback: 'hash_fallback_header' },
  cookie: { on: 'hash_on_cookie', fallback: 'hash_on_cookie' },
  query_arg: { on: 'hash_on_query_arg', fallback: 'hash_fallback_query_arg' },
  uri_capture: { on: 'hash_on_uri_capture', fallback: 'hash_fallback_uri_capture' },
};

function checkHashing(ctx: NormalizeContext, raw: RawUpstream, path: string): void {
  const on = raw.hash_on ?? UPSTREAM_DEFAULTS.hash_on;
  const fallback = raw.hash_fallback ?? UPSTREAM_DEFAULTS.hash_fallback;
  const onField = HASH_FIELDS[on]?.on;
  if (onField !== undefined && raw[onField] === undefined) ctx.error(joinPath(path, onField), `required when hash_on is ${on}`);
  const fbField = HASH_FIELDS[fallback]?.fallback;
  if (fbField !== undefined && raw[fbField] === undefined && fbField !== onField) {
    ctx.error(joinPath(path, fbField), `required when hash_fallback is ${fallback}`);
  }
  if ((on === 'none' || on === 'cookie') && fallback !== 'none') {
    ctx.error(joinPath(path, 'hash_fallback'), `must be none when hash_on is ${on}`);
  } else if (on === fallback && on !== 'none') {
    const fields = HASH_FIELDS[on];
    const same = fields === undefined || raw[fields.on] === raw[fields.fallback];
    if (same) ctx.error(joinPath(path, 'hash_fallback'), 'must differ from hash_on');
  }
}

function buildUpstream(ctx: NormalizeContext, { raw, path, id }: PlacedUpstream): NormalizedUpstream | null {
  const before = ctx.errors.length;
  if (isIP(raw.name.replace(/^\[|\]$/g, '')) !== 0) ctx.error(joinPath(path, 'name'), 'must be a hostname, not an IP address');
  checkHashing(ctx, raw, path);
  // Presenting a client certificate to targets is not implemented; ignoring it would send
  // the requests without the identity the targets expect.
  if (raw.client_certificate !== undefined) ctx.error(joinPath(path, 'client_certificate'), 'not supported: upstream mutual TLS is set per service (service.client_certificate)');
  if (ctx.errors.length > before) return null;
  return {
    id,
    name: raw.name.toLowerCase(),
    algorithm: (raw.algorithm ?? UPSTREAM_DEFAULTS.algorithm) as NormalizedUpstream['algorithm'],
    slots: raw.slots ?? UPSTREAM_DEFAULTS.slots,
    hash_on: raw.hash_on ?? UPSTREAM_DEFAULTS.hash_on,
    hash_fallback: raw.hash_fallback ?? UPSTREAM_DEFAULTS.hash_fallback,
    hash_on_header: raw.hash_on_header?.toLowerCase() ?? null,
    hash_fallback_header: raw.hash_fallback_header?.toLowerCase() ?? null,
    hash_on_cookie: raw.hash_on_cookie ?? null,
    hash_on_cookie_path: raw.hash_on_cookie_path ?? UPSTREAM_DEFAULTS.hash_on_cookie_path,
    hash_on_query_arg: raw.hash_on_query_arg ?? null,
    hash_fallback_query_arg: raw.hash_fallback_query_arg ?? null,
    hash_on_uri_capture: raw.hash_on_uri_capture ?? null,
    hash_fallback_uri_capture: raw.hash_fallback_uri_capture ?? null,
    host_header: raw.host_header ?? null,
    use_srv_name: raw.use_srv_name ?? UPSTREAM_DEFAULTS.use_srv_name,
    healthchecks: mergeDefaults(HEALTHCHECKS_DEFAULTS as unknown as Record<string, unknown>, raw.healthchecks),
    tags: raw.tags ?? [],
    targets: [],
  };
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6; IPv6 hosts keep their brackets. */
export function parseTarget(target: string): { host: string; port: number } | string {
  let host: string;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(target);
  if (v6 !== null) {
    if (isIP(v6[1] as string) !== 6) return 'invalid IPv6 address';
    host = `[${(v6[1] as string).toLowerCase()}]`;
    portText = v6[2];
  } else if (isIP(target) === 6) {
    host = `[${target.toLowerCase()}]`;
  } else {
    const colon = target.lastIndexOf(':');
    host = (colon === -1 ? target : target.slice(0, colon)).toLowerCase();
    portText = colon === -1 ? undefined : target.slice(colon + 1);
    if (!HOST.test(host)) return 'must be host, host:port or [ipv6]:port';
  }
  if (portText === undefined) return { host, port: TARGET_DEFAULTS.port };
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return 'port must be 1-65535';
  return { host, port: Number(portText) };
}

interface PlacedTarget {
  raw: RawTarget;
  path: string;
  upstream: string | null;
}

export function buildUpstreams(ctx: NormalizeContext, upstreams: PlacedUpstream[], topTargets: RawTarget[] | undefined): NormalizedUpstream[] {
  const out: NormalizedUpstream[] = [];
  const byId = new Map<string, NormalizedUpstream>();
  const targets: PlacedTarget[] = [];
  for (const placed of upstreams) {
    const upstream = buildUpstream(ctx, placed);
    if (upstream !== null) {
      out.push(upstream);
      byId.set(upstream.id, upstream);
    }
    for (const t of ctx.items(placed.raw.targets, joinPath(placed.path, 'targets'))) {
      targets.push({ raw: t.item, path: t.path, upstream: placed.id });
    }
  }
  for (const t of ctx.items(topTargets, 'targets')) {
    const upstream = t.item.upstream === undefined ? null : ctx.upstreams.resolve(ctx, joinPath(t.path, 'upstream'), t.item.upstream);
    targets.push({ raw: t.item, path: t.path, upstream });
  }
  const seen = new Map<string, string>();
  for (const { raw, path, upstream } of targets) {
    const parsed = parseTarget(raw.target);
    if (typeof parsed === 'string') {
      ctx.error(joinPath(path, 'target'), `invalid target "${raw.target}": ${parsed}`);
      continue;
    }
    if (upstream === null) continue;
    const address = `${parsed.host}:${parsed.port}`;
    const key = `${upstream}\0${address}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      ctx.error(joinPath(path, 'target'), `duplicate target "${address}" (also ${prev})`);
      continue;
    }
    seen.set(key, path);
    const target: NormalizedTarget = {
      id: typeof raw.id === 'string' ? raw.id.toLowerCase() : deriveId('target', key),
      target: address,
      host: parsed.host,
      port: parsed.port,
      weight: raw.weight ?? TARGET_DEFAULTS.weight,
      tags: raw.tags ?? [],
    };
    byId.get(upstream)?.targets.push(target);
  }
  return out;
}
