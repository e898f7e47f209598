/**
 * List prices per model, for agents that report tokens but no money (codex, gemini, OpenAI-compatible
 * APIs). Claude Code prices its own usage; its figure is used as reported. A model this table does not
 * know gets no price at all: views then say "cost unknown" rather than show a made-up figure.
 */

/** US dollars per million tokens. `cachedInput` applies to the cached part of the input, when reported. */
export interface ModelPrice {
  input: number;
  output: number;
  cachedInput?: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** The date the shipped prices were taken from the vendors' price pages; override under `prices:`. */
export const shippedPricesAsOf = '2025-10-01';

export const shippedPrices: PriceTable = {
  // Anthropic (Claude Code reports its own cost; these serve Claude models behind other agents).
  'claude-opus-4-1': { input: 15, output: 75, cachedInput: 1.5 },
  'claude-opus-4': { input: 15, output: 75, cachedInput: 1.5 },
  'claude-sonnet-4-5': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-sonnet-4': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-haiku-4-5': { input: 1, output: 5, cachedInput: 0.1 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cachedInput: 0.08 },
  // OpenAI
  'gpt-5': { input: 1.25, output: 10, cachedInput: 0.125 },
  'gpt-5-codex': { input: 1.25, output: 10, cachedInput: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cachedInput: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cachedInput: 0.005 },
  'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  o3: { input: 2, output: 8, cachedInput: 0.5 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275 },
  // Google (prompts up to 200k tokens)
  'gemini-2.5-pro': { input: 1.25, output: 10, cachedInput: 0.31 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cachedInput: 0.075 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cachedInput: 0.025 },
};

/**
 * The price of `model`: an exact entry, else the entry it is a dated snapshot of
 * (`claude-sonnet-4-5-20250929`, `gpt-4o-2024-08-06`, `…-latest`), after any `provider/` prefix.
 * Never a near name: `gpt-5-mini` is not priced as `gpt-5`.
 */
export function priceOf(model: string, table: PriceTable): ModelPrice | undefined {
  const name = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  const exact = table[name] ?? table[model];
  if (exact) return exact;
  const snapshot = /^(.+?)-(?:\d{4}-?\d{2}-?\d{2}|latest)$/.exec(name);
  return snapshot?.[1] !== undefined ? table[snapshot[1]] : undefined;
}

/** Shipped prices with the configuration's on top (a configured model replaces the shipped entry). */
export function priceTableWith(overrides: PriceTable | undefined): PriceTable {
  return overrides ? { ...shippedPrices, ...overrides } : shippedPrices;
}
