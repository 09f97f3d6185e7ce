/** ai-prompt-template (Kong's field names and defaults). */
import { MAX_REQUEST_BODY_SIZE, bool, integer, list, record, text } from './fields.js';
import type { Schema } from './fields.js';

export function aiPromptTemplateSchema(): Schema {
  return record('ai-prompt-template: named prompt templates clients fill in with properties.', {
    templates: list('Templates available on this route.', record('One template.', {
      name: text('Unique name; clients call it with `{template://NAME}`.', { minLength: 1 }),
      template: text('JSON request body with `{{placeholders}}` filled from the request\'s `properties`.', { minLength: 1 }),
    }, ['name', 'template'])),
    allow_untemplated_requests: bool('Let requests that use no template through.', true),
    log_original_request: bool('Log the request as sent, before templating.', false),
    max_request_body_size: integer('Largest request body inspected, in bytes; 0 = unlimited.', 0, 2_147_483_647, MAX_REQUEST_BODY_SIZE),
  }, ['templates']);
}
