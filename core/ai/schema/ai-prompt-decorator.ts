/** ai-prompt-decorator (Kong's field names and defaults). */
import { LLM_FORMATS, MAX_REQUEST_BODY_SIZE, integer, list, oneOf, record, text } from './fields.js';
import type { Schema } from './fields.js';

function messages(where: string): Schema {
  return list(`Chat messages inserted at the ${where} of the conversation, in this order.`, record('A message.', {
    role: oneOf('Role of the message.', ['system', 'assistant', 'user'], 'system'),
    content: text('Text of the message.', { minLength: 1, maxLength: 100_000 }),
  }, ['content']), { maxItems: 15 });
}

export function aiPromptDecoratorSchema(): Schema {
  return record('ai-prompt-decorator: add fixed messages before and after every chat.', {
    prompts: record('Messages to add.', { prepend: messages('start'), append: messages('end') }),
    llm_format: oneOf('The format clients speak.', LLM_FORMATS, 'openai'),
    max_request_body_size: integer('Largest request body inspected, in bytes; 0 = unlimited.', 0, 2_147_483_647, MAX_REQUEST_BODY_SIZE),
  });
}
