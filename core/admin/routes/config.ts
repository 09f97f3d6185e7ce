/**
 * Kong's DB-less `/config`:
 *   GET  /config                 -> { "config": "<yaml>" }: the running config as a declarative document
 *   POST /config[?check_hash=1]  -> replace everything. The body is the document itself (JSON),
 *        `{ "config": "<yaml or json text>" | {document} }`, a form field `config=<text>`,
 *        or a YAML body. An invalid document is 400 (code 14, nested `fields` and
 *        `flattened_errors`) and the running config stays; with check_hash=1 an unchanged
 *        config answers 304 and nothing is published.
 */
import { configHash } from '../../compile/index.js';
import { parseConfigText } from '../../config/load.js';
import { validateConfig } from '../../config/validate.js';
import { bodyKind, parseForm, parseJson } from '../body.js';
import type { AdminRequest, AdminResponse, RouteDef } from '../dispatch.js';
import { exportDocument } from '../entities.js';
import { KongCode, kongError } from '../errors.js';
import { declarativeViolation } from '../field-errors.js';
import { documentYaml } from '../persist.js';

function fromText(text: string): unknown {
  const parsed = parseConfigText(text, 'config');
  if (!parsed.ok) {
    const listed = parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw kongError(KongCode.DECLARATIVE_CONFIG, `failed parsing declarative configuration: ${listed}`, {}, { flattened_errors: [] });
  }
  return parsed.doc;
}

const MISSING = (): Error =>
  kongError(KongCode.DECLARATIVE_CONFIG, 'expected a declarative configuration: the document, or { "config": "<yaml or json>" }', {}, { flattened_errors: [] });

/** The declarative document a POST /config carries, in any of the forms Kong accepts. */
function documentOf(req: AdminRequest): unknown {
  switch (bodyKind(req.contentType, req.rawBody)) {
    case 'none':
      throw MISSING();
    case 'yaml':
      return fromText(req.rawBody.toString('utf8'));
    case 'form': {
      const config = parseForm(req.rawBody)['config'];
      if (typeof config !== 'string') throw MISSING();
      return fromText(config);
    }
    case 'json': {
      const body = parseJson(req.rawBody);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw MISSING();
      const config = (body as Record<string, unknown>)['config'];
      if (typeof config === 'string') return fromText(config);
      if (typeof config === 'object' && config !== null) return config;
      return body;
    }
  }
}

async function postConfig(req: AdminRequest): Promise<AdminResponse> {
  const doc = documentOf(req);
  const result = validateConfig(doc);
  if (!result.ok) throw declarativeViolation(result.errors, doc);
  const checkHash = req.query.get('check_hash');
  return req.state.exclusive(async () => {
    if ((checkHash === '1' || checkHash === 'true') && configHash(result.config) === req.state.supervisor.configHash) {
      return { status: 304 };
    }
    await req.state.publish(result.config, (errors) => declarativeViolation(errors, doc));
    return { status: 201, body: exportDocument(result.config) };
  });
}

export function configRoutes(): RouteDef[] {
  return [
    {
      pattern: '/config',
      methods: {
        GET: (req) => ({ status: 200, body: { config: documentYaml(exportDocument(req.state.config)) } }),
        POST: postConfig,
      },
    },
  ];
}
