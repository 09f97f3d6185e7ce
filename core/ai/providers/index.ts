/** Providers by Kong's `model.provider` name. */
import { anthropicProvider } from './anthropic.js';
import { bedrockProvider } from './bedrock.js';
import { cohereProvider } from './cohere.js';
import { geminiProvider } from './gemini.js';
import { azureProvider, mistralProvider, openAiCompatibleProvider, openAiProvider } from './openai.js';
import type { Provider, ProviderName } from './provider.js';

export const PROVIDERS: Readonly<Record<ProviderName, Provider>> = {
  openai: openAiProvider,
  azure: azureProvider,
  anthropic: anthropicProvider,
  gemini: geminiProvider,
  mistral: mistralProvider,
  cohere: cohereProvider,
  bedrock: bedrockProvider,
  'openai-compatible': openAiCompatibleProvider,
};

export function providerFor(name: ProviderName): Provider {
  return PROVIDERS[name];
}
