/**
 * redirect, compile side (Kong 3.9, priority 779: after the limits, validations and
 * transformations, before the AI plugins that call upstream). The location is checked as
 * Kong's typedefs.url checks it; with keep_incoming_path its parts are split here once.
 */
import { ALL_SCOPES, type PluginDefinition } from '../definition.js';
import { locationParts, urlProblem } from './location.js';
import { redirectSchema } from './schema.js';

interface RedirectConfig {
  status_code: number;
  location: string;
  keep_incoming_path: boolean;
}

export interface CompiledRedirect {
  status: number;
  location: string;
  /** With keep_incoming_path: what comes before the request's path, and the fragment after it; else null. */
  prefix: string | null;
  hash: string;
}

export const definition: PluginDefinition<RedirectConfig, CompiledRedirect> = {
  name: 'redirect',
  version: '3.9.0',
  priority: 779,
  schema: redirectSchema(),
  scopes: ALL_SCOPES,
  compile(c, ctx) {
    const problem = urlProblem(c.location);
    if (problem !== null) ctx.error('location', problem);
    let prefix: string | null = null;
    let hash = '';
    if (c.keep_incoming_path && problem === null) {
      const parts = locationParts(c.location);
      // Kong parses it with ada (the WHATWG parser) per request and fails there; we refuse the config.
      if (parts === null) ctx.error('location', `could not parse url: '${c.location}'`);
      else {
        prefix = parts.prefix;
        hash = parts.hash;
      }
    }
    return { status: c.status_code, location: c.location, prefix, hash };
  },
};
