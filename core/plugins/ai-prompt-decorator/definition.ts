/** ai-prompt-decorator, compile side: see ai-proxy/ai-definitions.ts. */
import { aiPromptDecoratorSchema } from '../../ai/schema/ai-prompt-decorator.js';
import { companionDefinition } from '../ai-proxy/ai-definitions.js';

export const definition = companionDefinition('ai-prompt-decorator', 772, aiPromptDecoratorSchema());
