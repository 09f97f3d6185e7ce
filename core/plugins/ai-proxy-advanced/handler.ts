/** ai-proxy-advanced in the worker: the same responder as ai-proxy (its balancer comes with its config). */
import { aiProxyHandler } from '../ai-proxy/handler.js';

export const handler = aiProxyHandler('ai-proxy-advanced');
