/** ai-prompt-template, compile side: see ai-proxy/ai-definitions.ts. */
import { aiPromptTemplateSchema } from '../../ai/schema/ai-prompt-template.js';
import { companionDefinition } from '../ai-proxy/ai-definitions.js';

export const definition = companionDefinition('ai-prompt-template', 773, aiPromptTemplateSchema());
