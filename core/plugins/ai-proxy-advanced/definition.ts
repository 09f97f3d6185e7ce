/** ai-proxy-advanced, compile side: see ai-proxy/ai-definitions.ts. */
import { aiProxyAdvancedSchema } from '../../ai/schema/ai-proxy-advanced.js';
import { proxyDefinition } from '../ai-proxy/ai-definitions.js';

export const definition = proxyDefinition('ai-proxy-advanced', aiProxyAdvancedSchema());
