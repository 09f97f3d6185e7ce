/**
 * Semantic pass of stage 1: turns a schema-valid declarative document into the flat
 * NormalizedConfig. Two sweeps: first every entity is registered (ids derived, names
 * checked for duplicates) so references can point forward; then each entity is built
 * with Kong defaults and its references resolved to ids. Every problem is collected;
 * the caller discards the config when there is any.
 *
 * Entities the schema pass rejected (`bad`) are registered by name but never built,
 * so one typo yields one error, not a cascade of "unknown service" reports.
 */
import type { RawDocument, RawFilterChain, RawPlugin } from './document-types.js';
import type { ConfigError, NormalizedConfig, NormalizedRoute, NormalizedService } from './types.js';
import { buildCaCertificates, buildCertificates, registerCertificates } from './normalize-certificates.js';
import { buildConsumers, registerConsumers } from './normalize-consumers.js';
import { NormalizeContext } from './normalize-context.js';
import type { Placed } from './normalize-plugins.js';
import { buildFilterChains, buildPlugins } from './normalize-plugins.js';
import { buildRoute, buildService, registerServicesAndRoutes } from './normalize-services.js';
import { buildUpstreams, registerUpstreams } from './normalize-upstreams.js';
import { joinPath } from './schema-errors.js';

export interface NormalizeResult {
  config: NormalizedConfig;
  errors: ConfigError[];
}

export function normalize(doc: RawDocument, bad: ReadonlySet<string>): NormalizeResult {
  const ctx = new NormalizeContext(bad);

  // Sweep 1: register everything that can be referenced.
  const upstreams = registerUpstreams(ctx, doc.upstreams);
  const pems = registerCertificates(ctx, doc.certificates, doc.ca_certificates);
  const placed = registerServicesAndRoutes(ctx, doc.services, doc.routes);
  const consumers = registerConsumers(ctx, doc.consumers);

  // Sweep 2: build, resolving references to ids.
  const normalizedUpstreams = buildUpstreams(ctx, upstreams, doc.targets);
  const certs = buildCertificates(ctx, pems.certificates, doc.snis);
  const caCertificates = buildCaCertificates(ctx, pems.caCertificates);

  const services: NormalizedService[] = [];
  const plugins: Placed<RawPlugin>[] = [];
  const chains: Placed<RawFilterChain>[] = [];
  for (const s of placed.services) {
    const service = s.bad ? null : buildService(ctx, s);
    if (service !== null) services.push(service);
    for (const p of ctx.items(s.raw.plugins, joinPath(s.path, 'plugins'))) plugins.push({ raw: p.item, path: p.path, implied: { service: s.id } });
    for (const c of ctx.items(s.raw.filter_chains, joinPath(s.path, 'filter_chains'))) chains.push({ raw: c.item, path: c.path, implied: { service: s.id } });
  }
  const routes: NormalizedRoute[] = [];
  for (const r of placed.routes) {
    const route = r.bad ? null : buildRoute(ctx, r);
    if (route !== null) routes.push(route);
    for (const p of ctx.items(r.raw.plugins, joinPath(r.path, 'plugins'))) plugins.push({ raw: p.item, path: p.path, implied: { route: r.id } });
    for (const c of ctx.items(r.raw.filter_chains, joinPath(r.path, 'filter_chains'))) chains.push({ raw: c.item, path: c.path, implied: { route: r.id } });
  }
  const normalizedConsumers = buildConsumers(ctx, consumers, doc);
  for (const c of consumers) {
    for (const p of ctx.items(c.raw.plugins, joinPath(c.path, 'plugins'))) plugins.push({ raw: p.item, path: p.path, implied: { consumer: c.id } });
  }
  for (const p of ctx.items(doc.plugins, 'plugins')) plugins.push({ raw: p.item, path: p.path, implied: {} });
  for (const c of ctx.items(doc.filter_chains, 'filter_chains')) chains.push({ raw: c.item, path: c.path, implied: {} });

  return {
    errors: ctx.errors,
    config: {
      _format_version: doc._format_version,
      services,
      routes,
      upstreams: normalizedUpstreams,
      consumers: normalizedConsumers,
      plugins: buildPlugins(ctx, plugins),
      filter_chains: buildFilterChains(ctx, chains),
      certificates: certs.certificates,
      snis: certs.snis,
      ca_certificates: caCertificates,
    },
  };
}
