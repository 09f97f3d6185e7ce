/**
 * The credential checks a real provider makes before anything else, so tests see that the
 * gateway put its own key where the provider wants it (and the mock refuses otherwise):
 *   Azure deployments   `api-key` header (or an Entra `Authorization: Bearer`), and `api-version`
 *   Cohere              `Authorization: Bearer <key>`
 *   Bedrock             SigV4 with the configured access key id (signature too when the secret is known)
 * OpenAI, Anthropic and Gemini paths stay open: existing tests and the quickstart call them keyless.
 */
import type { IncomingMessage } from 'node:http';
import { azureError } from './azure.js';
import { bedrockError, checkSigV4 } from './bedrock.js';
import type { BedrockCredentials } from './bedrock.js';
import { cohereError } from './cohere.js';
import type { MockRoute } from './routes.js';

export interface AuthRefusal {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const AZURE_DENIED = 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';


export function checkAuth(route: MockRoute, req: IncomingMessage, url: URL, rawBody: string, bedrock: BedrockCredentials): AuthRefusal | null {
  const authorization = req.headers['authorization'];
  if (route.azure === true) {
    const key = req.headers['api-key'];
    const bearer = typeof authorization === 'string' && /^Bearer \S+/.test(authorization);
    if ((typeof key !== 'string' || key === '') && !bearer) return { status: 401, headers: {}, body: azureError(401, AZURE_DENIED) };
    if (!url.searchParams.has('api-version')) return { status: 404, headers: {}, body: azureError(404, 'Resource not found') };
    return null;
  }
  if (route.format === 'cohere') {
    if (typeof authorization !== 'string' || !/^bearer \S+/i.test(authorization)) return { status: 401, headers: {}, body: cohereError('no api key supplied', 'mock-auth') };
    return null;
  }
  if (route.format === 'bedrock') {
    const reason = checkSigV4(req, rawBody, bedrock);
    if (reason === null) return null;
    const err = bedrockError(403, reason, reason.startsWith('The request signature') ? 'InvalidSignatureException' : 'UnrecognizedClientException');
    return { status: 403, headers: err.headers, body: err.body };
  }
  return null;
}
