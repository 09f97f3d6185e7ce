/**
 * The bench upstreams load uWS exactly as the gateway does (native binary, no silent
 * pure-JS fallback): one loader, in core/lib/uws.ts.
 */
export { loadUws, type UwsModule } from '../../core/lib/uws.js';
