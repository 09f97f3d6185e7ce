/** ai-rate-limiting-advanced, compile side: see ai-proxy/ai-definitions.ts. */
import { aiRateLimitingAdvancedSchema } from '../../ai/schema/ai-rate-limiting-advanced.js';
import { companionDefinition } from '../ai-proxy/ai-definitions.js';

export const definition = companionDefinition('ai-rate-limiting-advanced', 905, aiRateLimitingAdvancedSchema());
