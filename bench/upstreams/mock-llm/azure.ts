/**
 * Azure OpenAI's differences from OpenAI on the same body format: a stream opens with a
 * chunk that has no choices, only `prompt_filter_results`; errors are
 * `{error: {code: "<status>", message}}`, and `stream_options` is an unknown argument
 * before api-version 2024-09-01-preview (GA in 2024-10-21); older versions answer 400.
 */

/** The first api-version that accepts `stream_options`. */
export const AZURE_STREAM_OPTIONS_SINCE = '2024-09-01';

export function azureError(status: number, message: string): string {
  return JSON.stringify({ error: { code: String(status), message } });
}

/** Azure's 400 for a body its api-version does not know, or null. */
export function azureRejects(apiVersion: string, body: Record<string, unknown>): string | null {
  if (!('stream_options' in body) || apiVersion.slice(0, 10) >= AZURE_STREAM_OPTIONS_SINCE) return null;
  return JSON.stringify({ error: { message: 'Unrecognized request argument supplied: stream_options', type: 'invalid_request_error', param: null, code: null } });
}

/** The content-filter chunk an Azure stream starts with. */
export const AZURE_FILTER_FRAME = `data: ${JSON.stringify({
  choices: [], created: 0, id: '', model: '', object: '',
  prompt_filter_results: [{ prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: 'safe' }, self_harm: { filtered: false, severity: 'safe' }, sexual: { filtered: false, severity: 'safe' }, violence: { filtered: false, severity: 'safe' } } }],
})}\n\n`;
