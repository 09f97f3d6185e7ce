/** request-size-limiting: Kong's defaults, the unit factors and config errors. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledRequestSizeLimiting } from '../../../../core/plugins/request-size-limiting/definition.js';

const P = 'services[0].routes[0].plugins[0]';

describe('request-size-limiting schema', () => {
  it('defaults to 128 megabytes (2^20 bytes each) and no Content-Length requirement', () => {
    expect(compiledConfig<CompiledRequestSizeLimiting>({ name: 'request-size-limiting' })).toEqual({ limit: 128 * 1048576, requireContentLength: false });
  });

  it('turns each unit into bytes with Kong\'s factors', () => {
    const limit = (size_unit: string): number => compiledConfig<CompiledRequestSizeLimiting>({ name: 'request-size-limiting', config: { allowed_payload_size: 3, size_unit } }).limit;
    expect(limit('megabytes')).toBe(3 * 1048576);
    expect(limit('kilobytes')).toBe(3 * 1024);
    expect(limit('bytes')).toBe(3);
    expect(compiledConfig<CompiledRequestSizeLimiting>({ name: 'request-size-limiting', config: { require_content_length: true } }).requireContentLength).toBe(true);
  });

  it('refuses an unknown unit, a non-integer size and an unknown field', () => {
    expect(configErrors({ name: 'request-size-limiting', config: { size_unit: 'gigabytes' } })).toEqual([`${P}.config.size_unit: must be one of: megabytes, kilobytes, bytes`]);
    expect(configErrors({ name: 'request-size-limiting', config: { allowed_payload_size: 1.5 } })).toEqual([`${P}.config.allowed_payload_size: must be integer`]);
    expect(configErrors({ name: 'request-size-limiting', config: { allowed_size: 1 } })).toEqual([`${P}.config.allowed_size: unknown field`]);
  });
});
