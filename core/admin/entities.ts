/**
 * The entity kinds of the admin API and the two shapes each entity takes:
 *
 *   NormalizedConfig entity --view()--> Kong admin view (nulls for unset, FKs as { id })
 *   Kong admin view / body  --toRaw()--> declarative entry (nulls dropped, explicit id)
 *
 * Every change edits a Draft (the running config as flat declarative entries, one array
 * per kind) and the whole draft goes back through validateConfig, so the admin API can
 * never publish what a config file could not.
 */
import type { NormalizedConfig } from '../config/types.js';

export type KindName = 'services' | 'routes' | 'upstreams' | 'targets' | 'consumers' | 'plugins' | 'filter_chains';

export type Raw = Record<string, unknown>;

export interface Foreign {
  /** Field on the child, e.g. `service`. */
  field: string;
  kind: KindName;
  /** What deleting the parent does to children (Kong's on_delete). */
  onDelete: 'cascade' | 'restrict';
}

export interface KindSpec {
  readonly name: KindName;
  readonly singular: string;
  /** Field a non-uuid path key is matched against (Kong's endpoint_key), or null. */
  readonly endpointKey: string | null;
  /** Fields unique across the kind. */
  readonly unique: readonly string[];
  readonly foreign: readonly Foreign[];
  /** Declarative fields kept across updates but not shown (consumer credentials). */
  readonly hidden: readonly string[];
  /** Record fields deep-merged by PATCH (Kong merges nested records). */
  readonly merged: readonly string[];
}

function spec(s: KindSpec): KindSpec {
  return s;
}

export const KINDS: Readonly<Record<KindName, KindSpec>> = {
  services: spec({ name: 'services', singular: 'service', endpointKey: 'name', unique: ['name'], foreign: [], hidden: [], merged: [] }),
  routes: spec({
    name: 'routes', singular: 'route', endpointKey: 'name', unique: ['name'],
    foreign: [{ field: 'service', kind: 'services', onDelete: 'restrict' }], hidden: [], merged: [],
  }),
  upstreams: spec({ name: 'upstreams', singular: 'upstream', endpointKey: 'name', unique: ['name'], foreign: [], hidden: [], merged: ['healthchecks'] }),
  targets: spec({
    name: 'targets', singular: 'target', endpointKey: 'target', unique: [],
    foreign: [{ field: 'upstream', kind: 'upstreams', onDelete: 'cascade' }], hidden: [], merged: [],
  }),
  consumers: spec({
    name: 'consumers', singular: 'consumer', endpointKey: 'username', unique: ['username', 'custom_id'], foreign: [],
    hidden: ['keyauth_credentials', 'basicauth_credentials', 'hmacauth_credentials', 'acls', 'jwt_secrets'], merged: [],
  }),
  plugins: spec({
    name: 'plugins', singular: 'plugin', endpointKey: 'instance_name', unique: ['instance_name'],
    foreign: [
      { field: 'service', kind: 'services', onDelete: 'cascade' },
      { field: 'route', kind: 'routes', onDelete: 'cascade' },
      { field: 'consumer', kind: 'consumers', onDelete: 'cascade' },
    ],
    hidden: [], merged: ['config'],
  }),
  filter_chains: spec({
    name: 'filter_chains', singular: 'filter_chain', endpointKey: 'name', unique: ['name'],
    foreign: [
      { field: 'service', kind: 'services', onDelete: 'cascade' },
      { field: 'route', kind: 'routes', onDelete: 'cascade' },
    ],
    hidden: [], merged: [],
  }),
};

export const KIND_NAMES = Object.keys(KINDS) as KindName[];

const ref = (id: string | null | undefined): { id: string } | null => (id === null || id === undefined ? null : { id });

/** Kong admin views of one kind, in config order, without timestamps. */
export function viewsOf(config: NormalizedConfig, kind: KindName): Raw[] {
  switch (kind) {
    case 'services':
      return config.services.map(({ upstream: _upstream, client_certificate, ...s }) => ({ ...s, client_certificate: ref(client_certificate) }));
    case 'routes':
      return config.routes.map((r) => ({ ...r, service: ref(r.service) }));
    case 'upstreams':
      return config.upstreams.map(({ targets: _targets, ...u }) => ({ ...u }));
    case 'targets':
      return config.upstreams.flatMap((u) =>
        u.targets.map((t) => ({ id: t.id, target: t.target, weight: t.weight, tags: t.tags, upstream: { id: u.id } })),
      );
    case 'consumers':
      return config.consumers.map((c) => ({ id: c.id, username: c.username, custom_id: c.custom_id, tags: c.tags }));
    case 'plugins':
      return config.plugins.map((p) => ({ ...p, instance_name: p.instance_name ?? null, service: ref(p.service), route: ref(p.route), consumer: ref(p.consumer) }));
    case 'filter_chains':
      return config.filter_chains.map((f) => ({ ...f, service: ref(f.service), route: ref(f.route) }));
  }
}

const ADMIN_ONLY = new Set(['created_at', 'updated_at']);

function dropNulls(o: Raw): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

/** A view (or a merged request body) as a declarative entry. */
export function toRaw(view: Raw): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(view)) {
    if (v === null || v === undefined || ADMIN_ONLY.has(k)) continue;
    out[k] = v;
  }
  return out;
}

/** The running config as flat declarative entries (one array per kind) plus what the admin API does not manage. */
export interface Draft {
  _format_version: string;
  entities: Record<KindName, Raw[]>;
  /** certificates, snis, ca_certificates: carried through unchanged. */
  extras: Raw;
}

export function draftOf(config: NormalizedConfig): Draft {
  const entities = {} as Record<KindName, Raw[]>;
  for (const kind of KIND_NAMES) entities[kind] = viewsOf(config, kind).map(toRaw);
  // Credentials live in the consumer entry of the declarative format.
  entities.consumers = config.consumers.map((c, i) => {
    const raw = entities.consumers[i] as Raw;
    for (const field of KINDS.consumers.hidden) {
      const list = c[field as 'acls'] as Raw[] | undefined;
      if (list !== undefined && list.length > 0) raw[field] = list.map(dropNulls);
    }
    return raw;
  });
  const extras: Raw = {};
  if ((config.certificates ?? []).length > 0) {
    extras['certificates'] = (config.certificates ?? []).map(({ snis: _snis, ...c }) => dropNulls(c));
  }
  if ((config.snis ?? []).length > 0) extras['snis'] = (config.snis ?? []).map((s) => ({ ...s, certificate: { id: s.certificate } }));
  if ((config.ca_certificates ?? []).length > 0) extras['ca_certificates'] = (config.ca_certificates ?? []).map((c) => dropNulls({ ...c }));
  return { _format_version: config._format_version, entities, extras };
}

/** A draft as a declarative document (what validateConfig reads, GET /config shows and persistence writes). */
export function documentOf(draft: Draft): Raw {
  const doc: Raw = { _format_version: draft._format_version };
  for (const kind of KIND_NAMES) if (draft.entities[kind].length > 0) doc[kind] = draft.entities[kind];
  return { ...doc, ...draft.extras };
}

/** The running config as a declarative document. */
export function exportDocument(config: NormalizedConfig): Raw {
  return documentOf(draftOf(config));
}
