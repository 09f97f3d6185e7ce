/**
 * acl through a gateway with 2 workers, after the auth plugins: allow and deny lists,
 * X-Consumer-Groups upstream (or hidden), 401 without an auth plugin, the anonymous
 * consumer's groups, and Kong's "Multiple authentication" recipe: key-auth and
 * basic-auth both with `anonymous` (a logical OR), acl denying the anonymous group.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { ALICE, ALICE_BASIC, ALICE_KEY, ANONYMOUS, BOB, BOB_BASIC, CAROL_BASIC, authConsumers, basic, lastUpstreamHeaders, route } from '../auth-fixtures.js';

let rig: PluginRig;

beforeAll(async () => {
  rig = await startPluginRig([{ name: 'basic-auth' }, { name: 'acl', config: { allow: ['admins'] } }], {
    extra: {
      consumers: authConsumers(),
      routes: [
        route('staff', '/staff', [{ name: 'basic-auth' }, { name: 'acl', config: { allow: ['staff'], hide_groups_header: true } }]),
        route('deny', '/deny', [{ name: 'basic-auth' }, { name: 'acl', config: { deny: ['admins'] } }]),
        route('noauth', '/noauth', [{ name: 'acl', config: { allow: ['admins'] } }]),
        route('guests', '/guests', [{ name: 'basic-auth', config: { anonymous: 'anonymous' } }, { name: 'acl', config: { allow: ['guests'] } }]),
        route('either', '/either', [
          { name: 'key-auth', config: { anonymous: 'anonymous' } },
          { name: 'basic-auth', config: { anonymous: 'anonymous' } },
          { name: 'acl', config: { deny: ['guests'] } },
        ]),
      ],
    },
  });
});
afterAll(() => rig?.close());

async function call(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(rig.url(path), { headers });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text) };
}

const FORBIDDEN = { status: 403, body: { message: 'You cannot consume this service' } };
const alice = basic('alice', ALICE_BASIC.password);
const bob = basic('bob', BOB_BASIC.password);
const carol = basic('carol', CAROL_BASIC.password);

describe('acl: allow and deny lists', () => {
  it('lets a member of an allowed group through with its groups in X-Consumer-Groups', async () => {
    expect((await call('/x', { authorization: alice, 'x-consumer-groups': 'forged' })).status).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-consumer-groups']).toBe('admins, staff');
  });

  it('answers 403 to a consumer outside the allow list, or without groups', async () => {
    expect(await call('/x', { authorization: bob })).toEqual(FORBIDDEN);
    expect(await call('/x', { authorization: carol })).toEqual(FORBIDDEN);
  });

  it('lets the auth plugin answer first when nobody authenticates', async () => {
    expect(await call('/x')).toEqual({ status: 401, body: { message: 'Unauthorized' } });
  });

  it('hides the groups header (and drops the client\'s) under hide_groups_header', async () => {
    expect((await call('/staff', { authorization: bob, 'x-consumer-groups': 'admins' })).status).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-consumer-groups']).toBeUndefined();
  });

  it('deny list: members get 403, others (with or without groups) pass', async () => {
    expect(await call('/deny', { authorization: alice })).toEqual(FORBIDDEN);
    expect((await call('/deny', { authorization: bob })).status).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-consumer-groups']).toBe('staff');
    expect((await call('/deny', { authorization: carol })).status).toBe(200);
  });

  it('answers 401 "Unauthorized" when no auth plugin identified anyone', async () => {
    expect(await call('/noauth')).toEqual({ status: 401, body: { message: 'Unauthorized' } });
  });

  it('checks the anonymous consumer\'s own groups', async () => {
    expect((await call('/guests')).status).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-consumer-groups']).toBe('guests');
    expect(await call('/guests', { authorization: alice })).toEqual(FORBIDDEN);
  });
});

describe('acl: multiple authentication (logical OR with anonymous)', () => {
  it('refuses a request no plugin authenticates: it is the anonymous consumer, in the denied group', async () => {
    expect(await call('/either')).toEqual(FORBIDDEN);
    expect(await call('/either', { apikey: 'wrong', authorization: basic('alice', 'wrong') })).toEqual(FORBIDDEN);
  });

  it('accepts either credential', async () => {
    expect((await call('/either', { apikey: ALICE_KEY.key })).status).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-credential-identifier']).toBe(ALICE_KEY.id);
    expect((await call('/either', { authorization: bob })).status).toBe(200);
    expect(lastUpstreamHeaders(rig)['x-consumer-id']).toBe(BOB.id);
  });

  it('keeps the first plugin\'s success: basic-auth (lower priority) does not run after key-auth authenticated', async () => {
    expect((await call('/either', { apikey: ALICE_KEY.key, authorization: basic('bob', 'wrong') })).status).toBe(200);
    const h = lastUpstreamHeaders(rig);
    expect(h['x-consumer-id']).toBe(ALICE.id);
    expect(h['x-anonymous-consumer']).toBeUndefined();
    expect(h['x-consumer-groups']).toBe('admins, staff');
  });

  it('lets a later plugin authenticate after an earlier one fell back to anonymous', async () => {
    expect((await call('/either', { apikey: 'wrong', authorization: bob })).status).toBe(200);
    const h = lastUpstreamHeaders(rig);
    expect(h['x-consumer-id']).toBe(BOB.id);
    expect(h['x-credential-identifier']).toBe('bob');
    expect(h['x-anonymous-consumer']).toBeUndefined();
    expect(h['x-consumer-id']).not.toBe(ANONYMOUS.id);
  });
});
