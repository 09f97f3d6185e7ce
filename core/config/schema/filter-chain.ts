/**
 * Kong's filter_chains (proxy-wasm filters attached to a service or a route), plus our
 * per-filter `on_error` policy: what a request gets when the filter traps.
 */
import { arrayOf, bool, entity, name, record, reference, tags, uuid } from './typedefs.js';

type Schema = Record<string, unknown>;

export const ON_ERROR = ['fail_closed', 'fail_open'] as const;
export const FILTER_DEFAULTS = { enabled: true, on_error: 'fail_closed' } as const;
export const FILTER_CHAIN_DEFAULTS = { enabled: true } as const;

function filterSchema(): Schema {
  return record('One proxy-wasm filter in a chain.', {
    name: { type: 'string', minLength: 1, description: 'Filter module name (a .wasm file in the filters path).' },
    config: { type: ['string', 'object', 'null'], description: 'Configuration passed to the filter: a string or a JSON object.' },
    enabled: bool('Whether the filter runs. Default true.', FILTER_DEFAULTS.enabled),
    on_error: {
      type: 'string',
      enum: [...ON_ERROR],
      default: FILTER_DEFAULTS.on_error,
      description: 'When the filter faults: fail_closed answers 500, fail_open skips the filter. Default fail_closed.',
    },
  }, ['name']);
}

/** `topLevel` chains name their service or route; nested ones take it from the parent. */
export function filterChainSchema(topLevel: boolean): Schema {
  const refs: Record<string, Schema> = topLevel ? { service: reference('service'), route: reference('route') } : {};
  return entity(
    'A filter chain: ordered proxy-wasm filters for one service or route.',
    {
      id: uuid('Filter chain id; derived from name or owner when omitted.'),
      name: name('Unique filter chain name.'),
      enabled: bool('Whether the chain runs. Default true.', FILTER_CHAIN_DEFAULTS.enabled),
      ...refs,
      filters: { ...arrayOf('Filters, run in order.', filterSchema()), minItems: 1 },
      tags: tags(),
    },
    ['filters'],
  );
}
