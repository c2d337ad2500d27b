/**
 * The cost model: tokens per model priced from a configurable table.
 *
 * @module
 */
import {
  type ModelPrice,
  priceOf as findPrice,
  type PriceTable,
  type TokenUsage,
  usageCostUsd,
} from "../_internal/cost.ts";

export type { ModelPrice, PriceTable };

/**
 * A starting price table (public list prices, USD per million tokens, as published by the
 * providers in 2025). Prices change and contracts differ: pass your own table
 * (`prices` option, `--prices file.json`).
 *
 * @example
 * ```ts
 * import { DEFAULT_PRICE_TABLE } from "@evalkit/evalkit/evaluation";
 * if (!DEFAULT_PRICE_TABLE["gpt-4o-mini"]) throw new Error("unexpected");
 * ```
 */
export const DEFAULT_PRICE_TABLE: Readonly<PriceTable> = Object.freeze({
  "gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 },
  "gpt-4o": { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 },
});

/**
 * Finds a model's price: exact name first, then the longest matching `prefix*` key.
 *
 * @example
 * ```ts
 * import { priceOf } from "@evalkit/evalkit/evaluation";
 * const p = priceOf("gpt-4o-mini-2024-07-18", { "gpt-4o-mini*": { inputPerMillion: 0.15, outputPerMillion: 0.6 } });
 * if (p?.inputPerMillion !== 0.15) throw new Error("unexpected");
 * ```
 */
export function priceOf(model: string, prices: PriceTable): ModelPrice | undefined {
  return findPrice(model, prices);
}

/**
 * USD cost of one call's usage; models missing from the table cost nothing and are listed
 * in `unpriced`.
 *
 * @example
 * ```ts
 * import { costOf } from "@evalkit/evalkit/evaluation";
 * const c = costOf({ "m": { inputTokens: 1_000_000, outputTokens: 500_000 } },
 *   { m: { inputPerMillion: 1, outputPerMillion: 2 } });
 * if (c.usd !== 2) throw new Error("unexpected");
 * ```
 */
export function costOf(
  usage: Record<string, TokenUsage> | undefined,
  prices: PriceTable,
): { usd: number; unpriced: string[] } {
  let usd = 0;
  const unpriced: string[] = [];
  if (!usage) return { usd, unpriced };
  for (const [model, u] of Object.entries(usage)) {
    const p = priceOf(model, prices);
    if (!p) {
      unpriced.push(model);
      continue;
    }
    usd += usageCostUsd(u, p);
  }
  return { usd, unpriced };
}

/** Tokens and cost of one model over a run. */
export interface ModelUsageSummary {
  /** Calls that used the model. */
  calls: number;
  /** Input tokens. */
  inputTokens: number;
  /** Output tokens. */
  outputTokens: number;
  /** Cached input tokens. */
  cachedInputTokens: number;
  /** USD, or `undefined` when the model has no price. */
  usd?: number;
}

/** Tokens and cost over a run. */
export interface UsageSummary {
  /** Per model. */
  perModel: Record<string, ModelUsageSummary>;
  /** All tokens (input + cached + output). */
  totalTokens: number;
  /** USD over priced models. */
  totalUsd: number;
  /** USD per request (rows that were called). */
  usdPerRequest: number;
  /** Models without a price. */
  unpricedModels: string[];
}

/**
 * Sums the usage of many calls per model and prices it.
 *
 * @example
 * ```ts
 * import { summarizeUsage } from "@evalkit/evalkit/evaluation";
 * const s = summarizeUsage([{ a: { inputTokens: 10, outputTokens: 5 } }, undefined], { a: { inputPerMillion: 1e6, outputPerMillion: 0 } });
 * if (s.totalUsd !== 10 || s.usdPerRequest !== 5) throw new Error("unexpected");
 * ```
 */
export function summarizeUsage(
  usages: readonly (Record<string, TokenUsage> | undefined)[],
  prices: PriceTable,
): UsageSummary {
  const perModel: Record<string, ModelUsageSummary> = {};
  for (const usage of usages) {
    if (!usage) continue;
    for (const [model, u] of Object.entries(usage)) {
      const m = perModel[model] ??= {
        calls: 0,
        inputTokens: 0,
        outputTokens: 0,
        cachedInputTokens: 0,
      };
      m.calls++;
      m.inputTokens += u.inputTokens;
      m.outputTokens += u.outputTokens;
      m.cachedInputTokens += u.cachedInputTokens ?? 0;
    }
  }
  let totalTokens = 0, totalUsd = 0;
  const unpricedModels: string[] = [];
  for (const [model, m] of Object.entries(perModel)) {
    totalTokens += m.inputTokens + m.outputTokens + m.cachedInputTokens;
    const c = costOf({ [model]: m }, prices);
    if (c.unpriced.length > 0) unpricedModels.push(model);
    else {
      m.usd = c.usd;
      totalUsd += c.usd;
    }
  }
  return {
    perModel,
    totalTokens,
    totalUsd,
    usdPerRequest: usages.length > 0 ? totalUsd / usages.length : 0,
    unpricedModels,
  };
}
