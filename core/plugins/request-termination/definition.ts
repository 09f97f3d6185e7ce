/**
 * request-termination, compile side (Kong priority 2): the response is decided here, once,
 * so the handler only sends it.
 */
import { ALL_SCOPES, type PluginDefinition } from '../definition.js';
import { requestTerminationSchema } from './schema.js';

interface RequestTerminationConfig {
  status_code: number;
  message: string | null;
  content_type: string | null;
  body: string | null;
  echo: boolean;
  trigger: string | null;
}

export interface CompiledRequestTermination {
  status: number;
  /** The body to send (unless echo). */
  body: string;
  /** Flat header list to send with it. */
  headers: string[];
  echo: boolean;
  /** Lower-case trigger header / query argument name, or null (every request). */
  trigger: string | null;
  /** The message of an echo answer (null: none). */
  message: string | null;
}

/** Kong's default messages by status. */
const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  404: 'Not found',
  405: 'Method not allowed',
  500: 'An unexpected error occurred',
  502: 'Bad Gateway',
  503: 'Service unavailable',
};

function present(v: string | null): v is string {
  return v !== null && v.length > 0;
}

export const definition: PluginDefinition<RequestTerminationConfig, CompiledRequestTermination> = {
  name: 'request-termination',
  version: '3.9.0',
  priority: 2,
  schema: requestTerminationSchema(),
  scopes: ALL_SCOPES,
  compile(c, ctx) {
    if (present(c.message) && (present(c.content_type) || present(c.body))) ctx.error('', 'message cannot be used with content_type or body');
    if (present(c.content_type) && !present(c.body)) ctx.error('', 'content_type requires a body');
    if (c.echo && (present(c.content_type) || present(c.body))) ctx.error('', 'echo cannot be used with content_type and body');
    const message = c.message ?? DEFAULT_MESSAGES[c.status_code] ?? null;
    let body = '';
    let headers: string[] = [];
    if (present(c.body)) {
      body = c.body;
      headers = present(c.content_type) ? ['content-type', c.content_type] : [];
    } else if (message !== null) {
      body = JSON.stringify({ message });
      headers = ['content-type', 'application/json; charset=utf-8'];
    }
    return { status: c.status_code, body, headers, echo: c.echo, trigger: c.trigger?.toLowerCase() ?? null, message };
  },
};

