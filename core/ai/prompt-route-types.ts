/**
 * Route types whose requests each prompt plugin can read: the guard and templates see a
 * chat's messages or a completion's prompt, the decorator edits chat messages only (as in
 * Kong); an embeddings input is no prompt.
 */
import type { RouteType } from './providers/provider.js';

export const PROMPT_PLUGIN_ROUTE_TYPES: Readonly<Record<string, readonly RouteType[]>> = {
  'ai-prompt-guard': ['llm/v1/chat', 'llm/v1/completions'],
  'ai-prompt-decorator': ['llm/v1/chat'],
  'ai-prompt-template': ['llm/v1/chat', 'llm/v1/completions'],
};
