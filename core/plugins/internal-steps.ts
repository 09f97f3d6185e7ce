/**
 * Chain steps that come from other entities than plugins, known to both the compile side
 * (which places them in chains) and the worker (which runs them).
 */

/**
 * A route's WASM filter chain (filter_chains). Its priority puts it after authentication,
 * access control and rate limiting (filters see the consumer) and before the transformer
 * plugins and ai-proxy (a filter can redact a prompt before it leaves).
 */
export const FILTER_CHAIN = 'filter-chain';
export const FILTER_CHAIN_PRIORITY = 805;
