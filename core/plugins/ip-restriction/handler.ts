/**
 * ip-restriction, access phase (Kong 3.x): the client's address — the connection's, as
 * Kong uses its real client IP and Gatehouse has no trusted-proxy setting, so a client's
 * X-Forwarded-For is never believed — is looked up in the deny set, then the allow set:
 *
 *   in deny                  ─► refused
 *   allow set and not in it  ─► refused
 *   refused                  ─► `status` (403) {"message": `message` | "IP address not allowed: <ip>"}
 *                                (<ip> as nginx prints it: `::1`, not uWS's expanded form)
 *   not an IP address        ─► 403 "Cannot identify the client IP address, unix domain sockets are not supported."
 *
 * The sets are integer ranges, sorted and merged (core/lib/ip-ranges.ts): one parse of
 * the address into a scratch array and a binary search per list, no allocation.
 */
import { formatIp, IpFamily, IpRangeSet, parseIp } from '../../lib/ip-ranges.js';
import type { PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import type { CompiledIpRestriction } from './definition.js';

const JSON_TYPE = ['content-type', 'application/json; charset=utf-8'] as const;
/** The client's address, parsed once per request into this scratch array (a worker runs one access step at a time). */
const address = new Uint32Array(4);
const UNIDENTIFIED = JSON.stringify({ message: 'Cannot identify the client IP address, unix domain sockets are not supported.' });

class IpRestriction implements PluginHandler {
  readonly #deny: IpRangeSet | null;
  readonly #allow: IpRangeSet | null;
  readonly #status: number;
  readonly #body: string | null;

  constructor(c: CompiledIpRestriction) {
    this.#deny = c.deny.length === 0 ? null : IpRangeSet.from(c.deny);
    this.#allow = c.allow.length === 0 ? null : IpRangeSet.from(c.allow);
    this.#status = c.status;
    this.#body = c.body;
  }

  access(req: PluginRequest): void {
    const ip = req.remoteAddress;
    const family = parseIp(ip, address);
    if (family === IpFamily.NONE) return req.exit(403, UNIDENTIFIED, JSON_TYPE);
    const deny = this.#deny;
    if (deny !== null && deny.has(family, address)) return this.#refuse(req, ip);
    const allow = this.#allow;
    if (allow !== null && !allow.has(family, address)) return this.#refuse(req, ip);
  }

  #refuse(req: PluginRequest, ip: string): void {
    req.exit(this.#status, this.#body ?? JSON.stringify({ message: `IP address not allowed: ${formatIp(ip)}` }), JSON_TYPE);
  }
}

export const handler: PluginHandlerModule<CompiledIpRestriction, undefined> = {
  name: 'ip-restriction',
  create: (config) => new IpRestriction(config),
};
