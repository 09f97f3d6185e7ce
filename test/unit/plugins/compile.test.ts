/**
 * The plugin chain compiler: one step per plugin name in Kong priority order, Kong's scope
 * precedence (consumer+route+service … global), consumer-scoped instances kept per
 * consumer, disabled entities left out, unknown and Lua-only names refused with paths.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../core/config/validate.js';
import { compilePlugins } from '../../../core/plugins/compile.js';
import type { CompiledPlugins } from '../../../core/plugins/types.js';

function compileDoc(doc: Record<string, unknown>): { plugins: CompiledPlugins; errors: string[] } {
  const r = validateConfig({ _format_version: '3.0', ...doc });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const out = compilePlugins(r.config, r.config.routes);
  return { plugins: out.plugins, errors: out.errors.map((e) => `${e.path}: ${e.message}`) };
}

const TERMINATE = (message: string): Record<string, unknown> => ({ name: 'request-termination', config: { message } });

/** The message each route's request-termination step carries, for no consumer and per consumer. */
function messages(p: CompiledPlugins, route: number): { none: string | null; by: Record<string, string> } {
  const step = p.chains[route]?.steps.find((s) => s.name === 'request-termination');
  const msg = (i: number): string => JSON.parse((p.instances[i]?.config as { body: string }).body).message as string;
  const by: Record<string, string> = {};
  for (const [c, i] of step?.byConsumer ?? []) by[p.consumers[c]?.username ?? '?'] = msg(i);
  return { none: step === undefined || step.instance < 0 ? null : msg(step.instance), by };
}

describe('plugin chains', () => {
  it('orders steps by Kong priority, high first, whatever the config order', () => {
    const { plugins, errors } = compileDoc({
      services: [{ name: 's', url: 'http://u:1', routes: [{ name: 'r', paths: ['/'], plugins: [TERMINATE('x'), { name: 'key-auth' }, { name: 'cors' }] }] }],
    });
    expect(errors).toEqual([]);
    expect(plugins.chains[0]?.steps.map((s) => s.name)).toEqual(['cors', 'key-auth', 'request-termination']);
  });

  it('a route without plugins has no chain', () => {
    const { plugins } = compileDoc({ services: [{ name: 's', url: 'http://u:1', routes: [{ name: 'r', paths: ['/'] }] }] });
    expect(plugins.chains).toEqual([null]);
    expect(plugins.noRoute).toBeNull();
  });

  it('applies Kong precedence: route+service > route > service > global, and consumer scopes per consumer', () => {
    const { plugins, errors } = compileDoc({
      consumers: [{ username: 'alice' }, { username: 'bob' }, { username: 'carol' }],
      services: [
        { name: 's1', url: 'http://u:1', routes: [{ name: 'r1', paths: ['/1'] }, { name: 'r2', paths: ['/2'] }], plugins: [TERMINATE('service')] },
        { name: 's2', url: 'http://u:1', routes: [{ name: 'r3', paths: ['/3'] }] },
      ],
      plugins: [
        TERMINATE('global'),
        { ...TERMINATE('route'), route: 'r2' },
        { ...TERMINATE('route+service'), route: 'r1', service: 's1' },
        { ...TERMINATE('consumer'), consumer: 'alice' },
        { ...TERMINATE('consumer+route'), consumer: 'bob', route: 'r2' },
        { ...TERMINATE('consumer+service'), consumer: 'carol', service: 's2' },
      ],
    });
    expect(errors).toEqual([]);
    // r1: route+service beats a consumer-only entity (Kong's order), but not consumer+…
    expect(messages(plugins, 0)).toEqual({ none: 'route+service', by: {} });
    // r2: route for everyone; alice's consumer-only entity beats a plain route one; bob's consumer+route wins.
    expect(messages(plugins, 1)).toEqual({ none: 'route', by: { alice: 'consumer', bob: 'consumer+route' } });
    // r3: no route/service entity of its own: global, alice and carol have theirs.
    expect(messages(plugins, 2)).toEqual({ none: 'global', by: { alice: 'consumer', carol: 'consumer+service' } });
    expect(plugins.noRoute?.steps.map((s) => s.name)).toEqual(['request-termination']);
  });

  it('a consumer-only entity with nothing else applies to that consumer only', () => {
    const { plugins } = compileDoc({
      consumers: [{ username: 'alice' }],
      services: [{ name: 's', url: 'http://u:1', routes: [{ name: 'r', paths: ['/'] }] }],
      plugins: [{ ...TERMINATE('only alice'), consumer: 'alice' }],
    });
    expect(messages(plugins, 0)).toEqual({ none: null, by: { alice: 'only alice' } });
  });

  it('disabled entities are validated but join no chain', () => {
    const ok = compileDoc({ services: [{ name: 's', url: 'http://u:1', routes: [{ name: 'r', paths: ['/'], plugins: [{ ...TERMINATE('x'), enabled: false }] }] }] });
    expect(ok.plugins.chains).toEqual([null]);
    const bad = compileDoc({ services: [{ name: 's', url: 'http://u:1', routes: [{ name: 'r', paths: ['/'], plugins: [{ name: 'request-termination', enabled: false, config: { status_code: 42 } }] }] }] });
    expect(bad.errors).toEqual(['services[0].routes[0].plugins[0].config.status_code: must be >= 100']);
  });

  it('refuses unknown and Lua-only plugins with their paths, enabled or not', () => {
    const { errors } = compileDoc({
      services: [{ name: 's', url: 'http://u:1', routes: [{ name: 'r', paths: ['/'] }, { name: 'r2', paths: ['/2'], plugins: [{ name: 'foo' }] }] }],
      plugins: [{ name: 'pre-function', config: { access: ['return'] } }, { name: 'bar', enabled: false }],
    });
    expect(errors).toEqual([
      'services[0].routes[1].plugins[0].name: plugin "foo" is not available',
      'plugins[0].name: plugin "pre-function" is not available: it runs Lua code, which Gatehouse cannot run; write a WASM filter (filter_chains) instead',
      'plugins[1].name: plugin "bar" is not available',
    ]);
  });
});
