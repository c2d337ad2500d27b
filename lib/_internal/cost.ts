/**
 * The one cost model shared by evaluation (cost per run and per request) and runtime metrics
 * (cost per model in the MetricsCollector): token usage, prices per million tokens, and the
 * arithmetic between them.
 *
 * @module
 */

/**
 * Tokens one call used with one model. `inputTokens` counts the prompt tokens billed at the
 * input price, so it EXCLUDES `cachedInputTokens` (OpenAI reports `prompt_tokens` including
 * cached ones: subtract `prompt_tokens_details.cached_tokens`; Anthropic's `input_tokens`
 * already excludes cache reads).
 */
export interface TokenUsage {
  /** Prompt tokens billed at the input price (cached ones excluded). */
  inputTokens: number;
  /** Completion tokens. */
  outputTokens: number;
  /** Prompt tokens served from the provider's cache (billed at the cached price when known). */
  cachedInputTokens?: number;
}

/** The price of one model in USD per million tokens. */
export interface ModelPrice {
  /** USD per million input (prompt) tokens. */
  inputPerMillion: number;
  /** USD per million output (completion) tokens. */
  outputPerMillion: number;
  /** USD per million cached input tokens. Default: the input price. */
  cachedInputPerMillion?: number;
}

/** Model name → price. A key ending in `*` matches by prefix (`gpt-4o-mini*`). */
export type PriceTable = Record<string, ModelPrice>;

/** Finds a model's price: exact name first, then the longest matching `prefix*` key. */
export function priceOf(model: string, prices: PriceTable): ModelPrice | undefined {
  const exact = prices[model];
  if (exact) return exact;
  let best: ModelPrice | undefined, bestLen = -1;
  for (const [key, p] of Object.entries(prices)) {
    if (key.endsWith("*") && model.startsWith(key.slice(0, -1)) && key.length > bestLen) {
      best = p;
      bestLen = key.length;
    }
  }
  return best;
}

/** USD for an amount of usage at one price. */
export function usageCostUsd(usage: TokenUsage, price: ModelPrice): number {
  return (usage.inputTokens * price.inputPerMillion +
    usage.outputTokens * price.outputPerMillion +
    (usage.cachedInputTokens ?? 0) * (price.cachedInputPerMillion ?? price.inputPerMillion)) / 1e6;
}
