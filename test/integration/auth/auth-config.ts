/** Shared by the auth suites: an upstream that echoes what reached it, body included, and the consumers. */
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';

export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An upstream answering with the request it received: method, url, headers and body text. */
export function startEcho(): Promise<TestUpstream> {
  return startUpstream((req, res, body) => {
    const text = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString('utf8') });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
}

export const ALICE = { id: '11111111-1111-4111-8111-111111111111', username: 'alice', custom_id: 'crm-alice' } as const;
export const BOB = { id: '22222222-2222-4222-8222-222222222222', username: 'bob' } as const;
export const GUEST = { id: '33333333-3333-4333-8333-333333333333', username: 'guest' } as const;
export const ALICE_KEY = { id: 'aaaaaaaa-0000-4000-8000-000000000001', key: 'alice-secret' } as const;
export const BOB_KEY = { id: 'bbbbbbbb-0000-4000-8000-000000000002', key: 'bob-secret' } as const;

export function consumers(): Record<string, unknown>[] {
  return [
    { ...ALICE, keyauth_credentials: [ALICE_KEY] },
    { ...BOB, keyauth_credentials: [BOB_KEY] },
    { ...GUEST },
  ];
}
