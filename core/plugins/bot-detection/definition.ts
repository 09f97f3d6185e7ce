/**
 * bot-detection, compile side (Kong priority 2500): every pattern is tried as a
 * JavaScript regex here, so a bad one refuses the config with Kong's wording; the
 * handler compiles them once per worker.
 */
import { NO_CONSUMER, type PluginDefinition } from '../definition.js';
import { botDetectionSchema } from './schema.js';

interface BotDetectionConfig {
  allow: string[] | null;
  deny: string[] | null;
}

export interface CompiledBotDetection {
  allow: string[];
  deny: string[];
}

function checked(patterns: string[] | null, field: string, error: (field: string, message: string) => void): string[] {
  if (patterns === null) return [];
  patterns.forEach((p, i) => {
    try {
      new RegExp(p);
    } catch {
      error(`${field}[${i}]`, `not a valid regex: ${p}`);
    }
  });
  return [...patterns];
}

export const definition: PluginDefinition<BotDetectionConfig, CompiledBotDetection> = {
  name: 'bot-detection',
  version: '3.9.0',
  priority: 2500,
  schema: botDetectionSchema(),
  scopes: NO_CONSUMER,
  compile(c, ctx) {
    const error = ctx.error.bind(ctx);
    return { allow: checked(c.allow, 'allow', error), deny: checked(c.deny, 'deny', error) };
  },
};
