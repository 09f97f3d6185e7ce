/**
 * ip-restriction, compile side (Kong priority 990: after the auth plugins, so it may be
 * scoped to a consumer). Every entry is validated here with Kong's wording; the handler
 * turns the lists into integer range sets once per worker.
 */
import { parseCidr } from '../../lib/ip-ranges.js';
import { ALL_SCOPES, type PluginDefinition } from '../definition.js';
import { ipRestrictionSchema } from './schema.js';

interface IpRestrictionConfig {
  allow: string[] | null;
  deny: string[] | null;
  status: number | null;
  message: string | null;
}

export interface CompiledIpRestriction {
  /** Validated entries; empty = no such list. */
  allow: string[];
  deny: string[];
  status: number;
  /** The refusal body when `message` is set (JSON, serialised once), else null: Kong's default names the client's address. */
  body: string | null;
}

function checked(entries: string[] | null, field: string, error: (field: string, message: string) => void): string[] {
  if (entries === null) return [];
  entries.forEach((e, i) => {
    if (parseCidr(e) === null) error(`${field}[${i}]`, `invalid ip or cidr range: '${e}'`);
  });
  return [...entries];
}

export const definition: PluginDefinition<IpRestrictionConfig, CompiledIpRestriction> = {
  name: 'ip-restriction',
  version: '3.9.0',
  priority: 990,
  schema: ipRestrictionSchema(),
  scopes: ALL_SCOPES,
  compile(c, ctx) {
    const error = ctx.error.bind(ctx);
    const allow = checked(c.allow, 'allow', error);
    const deny = checked(c.deny, 'deny', error);
    if (allow.length === 0 && deny.length === 0) ctx.error('', "at least one of these fields must be non-empty: 'config.allow', 'config.deny'");
    // kong.response.error accepts error statuses only (it throws, a 500, for any other).
    if (c.status !== null && !(Number.isInteger(c.status) && c.status >= 400 && c.status <= 599)) ctx.error('status', 'must be an integer between 400 and 599');
    return {
      allow,
      deny,
      status: c.status ?? 403,
      body: c.message === null ? null : JSON.stringify({ message: c.message }),
    };
  },
};
