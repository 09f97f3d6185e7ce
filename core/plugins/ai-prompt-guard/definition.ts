/** ai-prompt-guard, compile side: see ai-proxy/ai-definitions.ts. */
import { aiPromptGuardSchema } from '../../ai/schema/ai-prompt-guard.js';
import { companionDefinition } from '../ai-proxy/ai-definitions.js';

export const definition = companionDefinition('ai-prompt-guard', 771, aiPromptGuardSchema());
