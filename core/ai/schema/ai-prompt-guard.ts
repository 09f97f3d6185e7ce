/** ai-prompt-guard (Kong's field names and defaults). */
import { LLM_FORMATS, MAX_REQUEST_BODY_SIZE, bool, integer, list, oneOf, record, text } from './fields.js';
import type { Schema } from './fields.js';

export function aiPromptGuardSchema(): Schema {
  const pattern = text('A regular expression.', { minLength: 1, maxLength: 500 });
  return record('ai-prompt-guard: allow or block prompts by regular expression.', {
    allow_patterns: list('Prompts must match at least one of these (when any are set).', pattern, { maxItems: 10 }),
    deny_patterns: list('Prompts matching any of these are blocked (checked first).', pattern, { maxItems: 10 }),
    allow_all_conversation_history: bool('Check only the latest user message, ignoring earlier history.', false),
    match_all_roles: bool('Check every role, not only `user` messages.', false),
    llm_format: oneOf('The format clients speak.', LLM_FORMATS, 'openai'),
    max_request_body_size: integer('Largest request body inspected, in bytes; 0 = unlimited.', 0, 2_147_483_647, MAX_REQUEST_BODY_SIZE),
  });
}
