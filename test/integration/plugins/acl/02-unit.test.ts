/**
 * acl's decision table (Kong 3.x handler.lua) on a bare request: the consumer's groups,
 * authenticated groups (which only a plugin can set, so they are driven here), and who
 * gets 401 or 403.
 */
import { describe, expect, it } from 'vitest';
import { handler } from '../../../../core/plugins/acl/handler.js';
import type { CompiledAcl } from '../../../../core/plugins/acl/definition.js';
import { Consumer } from '../../../../core/plugins/consumer.js';
import type { PluginEnv, PluginRequest } from '../../../../core/plugins/contract.js';

const alice = new Consumer({ id: 'a', username: 'alice', customId: null });
const carol = new Consumer({ id: 'c', username: 'carol', customId: null });
const env = { consumers: [alice, carol] } as unknown as PluginEnv;
const groups = handler.shared?.({ groups: [['admins', 'staff'], []] }, env);

interface Outcome {
  exit: [number, unknown] | null;
  headers: string[];
}

function run(config: Partial<CompiledAcl>, consumer: Consumer | null, credentialId: string | null, authenticatedGroups: string[] | null = null, headers: string[] = []): Outcome {
  const acl = handler.create({ deny: false, groups: [], hideGroupsHeader: false, alwaysUseAuthenticatedGroups: false, ...config }, env, groups as never);
  const out: Outcome = { exit: null, headers: [...headers] };
  const req = {
    consumer,
    credentialId,
    authenticatedGroups,
    exit: (status: number, body: unknown) => (out.exit = [status, body]),
    setHeader: (name: string, value: string) => {
      req.removeHeader(name);
      out.headers.push(name, value);
    },
    removeHeader: (name: string) => {
      const kept: string[] = [];
      for (let i = 0; i < out.headers.length; i += 2) if (out.headers[i] !== name) kept.push(out.headers[i] as string, out.headers[i + 1] as string);
      out.headers = kept;
    },
  };
  acl.access?.(req as unknown as PluginRequest, 0);
  return out;
}

const FORBIDDEN = [403, { message: 'You cannot consume this service' }];

describe('acl decisions', () => {
  it('allow list: a member passes with its groups upstream, others get 403', () => {
    expect(run({ groups: ['admins'] }, alice, 'cred')).toEqual({ exit: null, headers: ['x-consumer-groups', 'admins, staff'] });
    expect(run({ groups: ['guests'] }, alice, 'cred').exit).toEqual(FORBIDDEN);
  });

  it('a consumer without groups: 403 for an allow list, passes a deny list (no header)', () => {
    expect(run({ groups: ['admins'] }, carol, 'cred').exit).toEqual(FORBIDDEN);
    expect(run({ deny: true, groups: ['admins'] }, carol, 'cred')).toEqual({ exit: null, headers: [] });
  });

  it('nobody identified: 401; an anonymous consumer without groups on an allow list: 401', () => {
    expect(run({ groups: ['admins'] }, null, null).exit).toEqual([401, { message: 'Unauthorized' }]);
    expect(run({ groups: ['admins'] }, carol, null).exit).toEqual([401, { message: 'Unauthorized' }]);
  });

  it('deny list: a member gets 403', () => {
    expect(run({ deny: true, groups: ['staff'] }, alice, 'cred').exit).toEqual(FORBIDDEN);
  });

  it('authenticated groups decide when no consumer, an anonymous one, or always_use_authenticated_groups', () => {
    expect(run({ groups: ['ops'] }, null, null, ['ops'])).toEqual({ exit: null, headers: ['x-authenticated-groups', 'ops'] });
    expect(run({ groups: ['ops'] }, carol, null, ['ops']).exit).toBeNull();
    // A credential matched and the flag is off: the consumer's own groups count.
    expect(run({ groups: ['ops'] }, alice, 'cred', ['ops']).exit).toEqual(FORBIDDEN);
    expect(run({ groups: ['ops'], alwaysUseAuthenticatedGroups: true }, alice, 'cred', ['ops']).exit).toBeNull();
    // An empty list counts as none.
    expect(run({ groups: ['ops'] }, null, 'cred', []).exit).toEqual(FORBIDDEN);
  });

  it('the client\'s group headers never pass: replaced, or removed under hide_groups_header', () => {
    const forged = ['x-consumer-groups', 'admins', 'x-authenticated-groups', 'admins'];
    expect(run({ groups: ['admins'] }, alice, 'cred', null, forged).headers).toEqual(['x-consumer-groups', 'admins, staff']);
    expect(run({ groups: ['admins'], hideGroupsHeader: true }, alice, 'cred', null, forged).headers).toEqual([]);
  });
});
