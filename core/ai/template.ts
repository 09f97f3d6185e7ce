/**
 * ai-prompt-template: named templates with `{{variable}}` placeholders. A client calls one
 * by sending `"messages": "{template://NAME}"` (chat) or `"prompt": "{template://NAME}"`
 * (completions) with `"properties": {…}`, as in Kong. It runs on the raw client body,
 * before format translation, because a template reference is not a valid chat request.
 *
 * Templates are JSON text. Property values are JSON-string-escaped before substitution, so
 * a value cannot break out of its string and inject messages (Kong does the same). The
 * rendered JSON's fields replace the body's; `properties` is dropped.
 */
import type { Parsed } from './types.js';
import { isObject, parseJson } from './json-shape.js';
import type { JsonObject } from './json-shape.js';

export interface PromptTemplateConfig {
  templates: readonly { name: string; template: string }[];
  allow_untemplated_requests?: boolean;
}

const REFERENCE = /^\{template:\/\/([^}]+)\}$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

export const TEMPLATE_MESSAGES = {
  untemplated: 'this LLM route only supports templated requests',
  notFound: (name: string) => `could not find template name [${name}]`,
  missing: (names: readonly string[]) => `missing template parameters: [${names.join(', ')}]`,
  badProperties: "'properties' must be an object of strings, numbers or booleans",
  badTemplate: (name: string) => `template [${name}] did not render to a JSON object`,
} as const;

/** JSON-string escaping without the surrounding quotes. */
function escapeJsonString(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

export function compilePromptTemplates(config: PromptTemplateConfig): (body: JsonObject) => Parsed<JsonObject> {
  const templates = new Map(config.templates.map((t) => [t.name, t.template]));
  const allowUntemplated = config.allow_untemplated_requests ?? true;
  return (body) => {
    const ref = typeof body['messages'] === 'string' ? body['messages'] : typeof body['prompt'] === 'string' ? body['prompt'] : undefined;
    const match = ref === undefined ? null : REFERENCE.exec(ref);
    if (match === null) {
      return allowUntemplated ? { ok: true, value: body } : { ok: false, message: TEMPLATE_MESSAGES.untemplated };
    }
    const name = match[1] ?? '';
    const template = templates.get(name);
    if (template === undefined) return { ok: false, message: TEMPLATE_MESSAGES.notFound(name) };
    const props = body['properties'] ?? {};
    if (!isObject(props)) return { ok: false, message: TEMPLATE_MESSAGES.badProperties };
    const missing: string[] = [];
    let bad = false;
    const rendered = template.replace(PLACEHOLDER, (_all, key: string) => {
      const v = props[key];
      if (v === undefined || v === null) {
        if (!missing.includes(key)) missing.push(key);
        return '';
      }
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        bad = true;
        return '';
      }
      return escapeJsonString(String(v));
    });
    if (bad) return { ok: false, message: TEMPLATE_MESSAGES.badProperties };
    if (missing.length > 0) return { ok: false, message: TEMPLATE_MESSAGES.missing(missing) };
    const parsed = parseJson(rendered);
    if (!isObject(parsed)) return { ok: false, message: TEMPLATE_MESSAGES.badTemplate(name) };
    const out: JsonObject = { ...body, ...parsed };
    delete out['properties'];
    if (!('messages' in parsed) && typeof out['messages'] === 'string') delete out['messages'];
    if (!('prompt' in parsed) && typeof out['prompt'] === 'string') delete out['prompt'];
    return { ok: true, value: out };
  };
}
