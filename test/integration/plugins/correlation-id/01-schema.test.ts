/** correlation-id: Kong's defaults and config errors. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledCorrelationId } from '../../../../core/plugins/correlation-id/definition.js';

const P = 'services[0].routes[0].plugins[0]';

describe('correlation-id schema', () => {
  it('defaults to Kong-Request-ID (matched lower-case), uuid#counter, no echo', () => {
    expect(compiledConfig<CompiledCorrelationId>({ name: 'correlation-id' })).toEqual({ header: 'kong-request-id', generator: 'uuid#counter', echo: false });
    expect(compiledConfig<CompiledCorrelationId>({ name: 'correlation-id', config: { header_name: 'X-Correlation-ID', generator: 'tracker', echo_downstream: true } })).toEqual({
      header: 'x-correlation-id',
      generator: 'tracker',
      echo: true,
    });
  });

  it('refuses an unknown generator and a header name that is not a token', () => {
    expect(configErrors({ name: 'correlation-id', config: { generator: 'uuid4', header_name: 'X Id' } })).toEqual([
      `${P}.config.header_name: must be a valid header name`,
      `${P}.config.generator: must be one of: uuid, uuid#counter, tracker`,
    ]);
  });
});
