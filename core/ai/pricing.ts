/**
 * Prices per provider/model in currency units per 1M tokens, input and output, and the
 * cost of a usage. Lookup order: the target's own `model.options.input_cost/output_cost`
 * (Kong's fields), then the table by exact model name, then the longest `prefix*`
 * pattern, then the provider's `*`. Built once per config; lookups are map reads.
 */
import type { Usage } from './types.js';

export interface Price {
  /** Per 1M prompt tokens. */
  input: number;
  /** Per 1M completion tokens. */
  output: number;
}

/** `{ openai: { 'gpt-4o': {input, output}, 'gpt-4o-mini*': {…}, '*': {…} } }` */
export type PriceTable = Readonly<Record<string, Readonly<Record<string, Price>>>>;

interface CompiledProvider {
  exact: Map<string, Price>;
  /** Longest prefix first. */
  prefixes: { prefix: string; price: Price }[];
  fallback: Price | null;
}

export class Pricing {
  readonly #providers = new Map<string, CompiledProvider>();

  constructor(table: PriceTable) {
    for (const [provider, models] of Object.entries(table)) {
      const compiled: CompiledProvider = { exact: new Map(), prefixes: [], fallback: null };
      for (const [pattern, price] of Object.entries(models)) {
        if (pattern === '*') compiled.fallback = price;
        else if (pattern.endsWith('*')) compiled.prefixes.push({ prefix: pattern.slice(0, -1), price });
        else compiled.exact.set(pattern, price);
      }
      compiled.prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
      this.#providers.set(provider, compiled);
    }
  }

  priceFor(provider: string, model: string, options?: { input_cost?: number; output_cost?: number }): Price | null {
    if (options?.input_cost !== undefined || options?.output_cost !== undefined) {
      return { input: options.input_cost ?? 0, output: options.output_cost ?? 0 };
    }
    const p = this.#providers.get(provider);
    if (p === undefined) return null;
    const exact = p.exact.get(model);
    if (exact !== undefined) return exact;
    for (const { prefix, price } of p.prefixes) if (model.startsWith(prefix)) return price;
    return p.fallback;
  }

  /** Cost of `usage` for provider/model; 0 when no price is known. */
  cost(provider: string, model: string, usage: Usage, options?: { input_cost?: number; output_cost?: number }): number {
    const price = this.priceFor(provider, model, options);
    return price === null ? 0 : costOf(usage, price);
  }
}

export function costOf(usage: Usage, price: Price): number {
  return (usage.prompt * price.input + usage.completion * price.output) / 1_000_000;
}
