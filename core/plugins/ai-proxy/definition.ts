/** ai-proxy, compile side: see ai-proxy/ai-definitions.ts. */
import { aiProxySchema } from '../../ai/schema/ai-proxy.js';
import { proxyDefinition } from '../ai-proxy/ai-definitions.js';

export const definition = proxyDefinition('ai-proxy', aiProxySchema());
