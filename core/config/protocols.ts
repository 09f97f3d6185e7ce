/**
 * Which protocols Gatehouse serves, and what that means for Kong entities that name others.
 *
 * Kong routes take protocols from one group only (kong/db/schema/entities/routes.lua
 * `mutually_exclusive_subsets`); Gatehouse's listeners speak HTTP/1.1 plain and over TLS,
 * so only the http group can be served and a route of another group is refused. A plugin
 * may list any protocol: it runs on the ones we serve and never on the others.
 */
import type { KongProtocol, NormalizedPlugin, Protocol } from './types.js';

/** Kong's route protocol groups; a route's protocols must all come from one. */
export const ROUTE_PROTOCOL_GROUPS: readonly (readonly KongProtocol[])[] = [
  ['http', 'https'],
  ['tcp', 'tls', 'udp'],
  ['tls_passthrough'],
  ['grpc', 'grpcs'],
  ['ws', 'wss'],
];

export function isServedProtocol(protocol: string): protocol is Protocol {
  return protocol === 'http' || protocol === 'https';
}

/** Whether the plugin runs for requests on the plain (`http`) or TLS (`https`) listener. */
export function runsOn(plugin: Pick<NormalizedPlugin, 'protocols'>, scheme: Protocol): boolean {
  return plugin.protocols.includes(scheme);
}

/**
 * Why a route's protocols cannot be served, or null when they can. `protocols` passed the
 * schema (each is a Kong protocol name, no duplicates).
 */
export function routeProtocolsProblem(protocols: readonly string[]): string | null {
  const groups = new Set<number>();
  for (const p of protocols) groups.add(ROUTE_PROTOCOL_GROUPS.findIndex((g) => g.includes(p as KongProtocol)));
  if (groups.size > 1) {
    const sets = ROUTE_PROTOCOL_GROUPS.map((g) => `(${g.join(', ')})`).join(', ');
    return `these sets are mutually exclusive: ${sets}`;
  }
  const unserved = protocols.filter((p) => !isServedProtocol(p));
  if (unserved.length > 0) return `not supported: ${unserved.join(', ')} (Gatehouse serves http and https routes only)`;
  return null;
}
