/** prometheus: Kong's options (all off by default) and which ones export upstream health. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledPrometheus } from '../../../../core/plugins/prometheus/definition.js';
import { exportsUpstreamHealth } from '../../../../core/plugins/prometheus/mode.js';
import { NO_PLUGINS, type CompiledPlugins } from '../../../../core/plugins/types.js';

const P = 'services[0].routes[0].plugins[0].config';

describe('prometheus schema', () => {
  it("Kong's defaults: every family off", () => {
    expect(compiledConfig<CompiledPrometheus>({ name: 'prometheus' })).toEqual({ perConsumer: false, statusCodes: false, latency: false, bandwidth: false, upstreamHealth: false });
    expect(compiledConfig<CompiledPrometheus>({ name: 'prometheus', config: { per_consumer: true, status_code_metrics: true, latency_metrics: true, bandwidth_metrics: true, upstream_health_metrics: true, ai_metrics: true } })).toEqual({
      perConsumer: true,
      statusCodes: true,
      latency: true,
      bandwidth: true,
      upstreamHealth: true,
    });
  });

  it('refuses unknown options and non-booleans', () => {
    expect(configErrors({ name: 'prometheus', config: { per_route: true } })).toEqual([`${P}.per_route: unknown field`]);
    expect(configErrors({ name: 'prometheus', config: { per_consumer: 'yes' } })).toEqual([`${P}.per_consumer: must be boolean`]);
  });

  it('upstream health is exported without prometheus plugins, or when one turns it on', () => {
    const withPlugins = (...health: boolean[]): CompiledPlugins => ({
      ...NO_PLUGINS,
      instances: health.map((h, i) => ({ name: 'prometheus', id: String(i), config: { upstreamHealth: h }, onHttp: true, onHttps: true, global: true })),
    });
    expect(exportsUpstreamHealth(NO_PLUGINS)).toBe(true);
    expect(exportsUpstreamHealth(withPlugins(false))).toBe(false);
    expect(exportsUpstreamHealth(withPlugins(false, true))).toBe(true);
  });
});
