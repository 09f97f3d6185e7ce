/** bot-detection: Kong's defaults, null lists, the is_regex wording, no consumer scope. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledBotDetection } from '../../../../core/plugins/bot-detection/definition.js';

const P = 'services[0].routes[0].plugins[0]';

describe('bot-detection schema', () => {
  it('defaults to empty allow and deny lists; null is accepted as empty', () => {
    expect(compiledConfig<CompiledBotDetection>({ name: 'bot-detection' })).toEqual({ allow: [], deny: [] });
    expect(compiledConfig<CompiledBotDetection>({ name: 'bot-detection', config: { allow: null, deny: ['(C|c)url'] } })).toEqual({ allow: [], deny: ['(C|c)url'] });
  });

  it('refuses a bad regex with Kong\'s wording', () => {
    const bad = '(https?:\\/\\/.*';
    expect(configErrors({ name: 'bot-detection', config: { allow: ['ok', bad] } })).toEqual([`${P}.config.allow[1]: not a valid regex: ${bad}`]);
    expect(configErrors({ name: 'bot-detection', config: { deny: ['[z-a]'] } })).toEqual([`${P}.config.deny[0]: not a valid regex: [z-a]`]);
  });

  it('refuses Kong 2.x field names and a consumer scope', () => {
    expect(configErrors({ name: 'bot-detection', config: { blacklist: ['x'] } })).toEqual([`${P}.config.blacklist: unknown field`]);
    expect(configErrors({ name: 'bot-detection', consumer: 'alice' }, { consumers: [{ username: 'alice' }] })).toEqual([`${P}.consumer: bot-detection cannot be scoped to a consumer`]);
  });
});
