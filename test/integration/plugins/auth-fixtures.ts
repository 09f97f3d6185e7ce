/**
 * Consumers and credentials shared by the auth plugin suites (basic-auth, jwt, hmac-auth,
 * acl): one consumer per situation, every credential kind, fixed ids so the upstream
 * headers can be checked exactly.
 */
import type { PluginRig } from '../../helpers/plugin-suite.js';

export const ALICE = { id: '11111111-1111-4111-8111-111111111111', username: 'alice', custom_id: 'crm-alice' } as const;
export const BOB = { id: '22222222-2222-4222-8222-222222222222', username: 'bob' } as const;
export const CAROL = { id: '44444444-4444-4444-8444-444444444444', username: 'carol' } as const;
export const ANONYMOUS = { id: '33333333-3333-4333-8333-333333333333', username: 'anonymous' } as const;

export const ALICE_BASIC = { id: 'aaaaaaaa-0000-4000-8000-0000000000b1', username: 'alice', password: 'open:sesame' } as const;
export const BOB_BASIC = { id: 'bbbbbbbb-0000-4000-8000-0000000000b2', username: 'bob', password: 'builder' } as const;
export const CAROL_BASIC = { id: 'cccccccc-0000-4000-8000-0000000000b3', username: 'carol', password: 'c' } as const;
export const ALICE_KEY = { id: 'aaaaaaaa-0000-4000-8000-0000000000c1', key: 'alice-key' } as const;
export const ALICE_HMAC = { id: 'aaaaaaaa-0000-4000-8000-0000000000d1', username: 'alice-hmac', secret: 'alice-hmac-secret' } as const;
export const BOB_HMAC = { id: 'bbbbbbbb-0000-4000-8000-0000000000d2', username: 'bob-hmac', secret: 'bob-hmac-secret' } as const;

/** Consumers with basic-auth, key-auth and hmac-auth credentials and ACL groups; `extra` adds fields per username. */
export function authConsumers(extra: Record<string, Record<string, unknown>> = {}): Record<string, unknown>[] {
  return [
    {
      ...ALICE,
      basicauth_credentials: [ALICE_BASIC],
      keyauth_credentials: [ALICE_KEY],
      hmacauth_credentials: [ALICE_HMAC],
      acls: [{ group: 'admins' }, { group: 'staff' }],
      ...extra['alice'],
    },
    { ...BOB, basicauth_credentials: [BOB_BASIC], hmacauth_credentials: [BOB_HMAC], acls: [{ group: 'staff' }], ...extra['bob'] },
    { ...CAROL, basicauth_credentials: [CAROL_BASIC], ...extra['carol'] },
    { ...ANONYMOUS, acls: [{ group: 'guests' }], ...extra['anonymous'] },
  ];
}

/** A top-level route on the rig's service `svc`. */
export function route(name: string, path: string, plugins: Record<string, unknown>[]): Record<string, unknown> {
  return { name, paths: [path], service: 'svc', plugins };
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** The headers the upstream received with the last proxied request. */
export function lastUpstreamHeaders(rig: PluginRig): Record<string, string | string[] | undefined> {
  const last = rig.upstream.received.at(-1);
  if (last === undefined) throw new Error('the upstream received nothing');
  return last.headers;
}

/** Forged consumer headers a client may send: none of them may reach the upstream as sent. */
export const FORGED = {
  'x-consumer-id': 'forged',
  'x-consumer-username': 'forged',
  'x-consumer-custom-id': 'forged',
  'x-credential-identifier': 'forged',
  'x-anonymous-consumer': 'forged',
} as const;
