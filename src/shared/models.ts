/**
 * The Claude models in one place: which ones the app offers, its defaults, and the price table every
 * cost the app estimates is computed from. Prices are USD per million tokens, as Claude Code 2.1.330's
 * own model catalog has them (so an estimate from tokens equals the figure Claude Code reports for
 * the same usage); cache writes are the 5-minute and 1-hour rates, cache reads their own rate (not a
 * fixed share of the input price: Sonnet 5.5 reads its cache at 0.05x input, Opus 4.5 at 0.1x).
 * Pure data; safe to import from main, preload, renderer and the CLI.
 */
import type { Usage } from './trace'

export interface Rates {
  input: number
  output: number
  /** writing the prompt cache with the default 5-minute lifetime */
  cacheWrite5m: number
  /** writing the prompt cache with a 1-hour lifetime */
  cacheWrite1h: number
  cacheRead: number
}

export interface ModelPrice extends Rates {
  /** dearer rates for a request whose prompt (input, cache reads and writes) is above `above` tokens */
  longPrompt?: Rates & { above: number }
}

export interface ModelInfo {
  id: string
  label: string
  family: 'opus' | 'sonnet' | 'haiku' | 'fable' | 'mythos'
  price: ModelPrice
  /** context window in tokens, when known */
  contextWindow?: number
  /** offered in the model choosers; false for older and deprecated models, which are still priced */
  current: boolean
}

const rates = (input: number, output: number, cacheWrite5m: number, cacheWrite1h: number, cacheRead: number): Rates => ({
  input,
  output,
  cacheWrite5m,
  cacheWrite1h,
  cacheRead
})

/** Claude Code's pricing tiers (its model catalog's names). */
const TIER = {
  t2_10: rates(2, 10, 2.5, 4, 0.2),
  t2_10_cr010: rates(2, 10, 2.5, 4, 0.1),
  t3_15: rates(3, 15, 3.75, 6, 0.3),
  t4_20_cr020: rates(4, 20, 5, 8, 0.2),
  t5_25: rates(5, 25, 6.25, 10, 0.5),
  t8_40_cr020: rates(8, 40, 10, 16, 0.2),
  t10_50: rates(10, 50, 12.5, 20, 1),
  t10_50_cr025: rates(10, 50, 12.5, 20, 0.25),
  t15_75: rates(15, 75, 18.75, 30, 1.5),
  haiku3: rates(0.25, 1.25, 0.3, 0.5, 0.03),
  haiku35: rates(0.8, 4, 1, 1.6, 0.08),
  haiku45: rates(1, 5, 1.25, 2, 0.1),
  haiku55: { ...rates(0.1, 0.5, 0.125, 0.2, 0.01), longPrompt: { above: 100_000, ...rates(0.5, 2.5, 0.625, 1, 0.05) } }
} satisfies Record<string, ModelPrice>

const M = 1_000_000
const K200 = 200_000
const model = (
  id: string,
  label: string,
  family: ModelInfo['family'],
  price: ModelPrice,
  contextWindow: number | undefined,
  current: boolean
): ModelInfo => ({ id, label, family, price, contextWindow, current })

/**
 * Every model the app knows, newest first. `current` ones are those of the Anthropic SDK's model list
 * that it does not mark deprecated (claude-mythos-preview has no published price and is left out).
 */
export const ALL_MODELS: readonly ModelInfo[] = [
  model('claude-sonnet-5-5', 'Sonnet 5.5', 'sonnet', TIER.t2_10_cr010, M, true),
  model('claude-opus-5-5', 'Opus 5.5', 'opus', TIER.t4_20_cr020, M, true),
  model('claude-haiku-5-5', 'Haiku 5.5', 'haiku', TIER.haiku55, M, true),
  model('claude-fable-5-2', 'Fable 5.2', 'fable', TIER.t8_40_cr020, M, true),
  model('claude-mythos-5-2', 'Mythos 5.2', 'mythos', TIER.t8_40_cr020, M, true),
  model('claude-fable-5-1', 'Fable 5.1', 'fable', TIER.t10_50_cr025, M, true),
  model('claude-mythos-5-1', 'Mythos 5.1', 'mythos', TIER.t10_50_cr025, M, true),
  model('claude-sonnet-5', 'Sonnet 5', 'sonnet', TIER.t2_10, M, true),
  model('claude-opus-5', 'Opus 5', 'opus', TIER.t5_25, M, true),
  model('claude-fable-5', 'Fable 5', 'fable', TIER.t10_50, M, true),
  model('claude-mythos-5', 'Mythos 5', 'mythos', TIER.t10_50, M, true),
  model('claude-opus-4-8', 'Opus 4.8', 'opus', TIER.t5_25, M, true),
  model('claude-opus-4-7', 'Opus 4.7', 'opus', TIER.t5_25, M, true),
  model('claude-opus-4-6', 'Opus 4.6', 'opus', TIER.t5_25, K200, true),
  model('claude-sonnet-4-6', 'Sonnet 4.6', 'sonnet', TIER.t3_15, K200, true),
  model('claude-opus-4-5', 'Opus 4.5', 'opus', TIER.t5_25, K200, true),
  model('claude-haiku-4-5', 'Haiku 4.5', 'haiku', TIER.haiku45, K200, true),
  // older or deprecated: priced (sessions on disk use them), not offered
  model('claude-sonnet-4-5', 'Sonnet 4.5', 'sonnet', TIER.t3_15, K200, false),
  model('claude-opus-4-1', 'Opus 4.1', 'opus', TIER.t15_75, K200, false),
  model('claude-opus-4-0', 'Opus 4', 'opus', TIER.t15_75, K200, false),
  model('claude-sonnet-4-0', 'Sonnet 4', 'sonnet', TIER.t3_15, K200, false),
  model('claude-3-7-sonnet', 'Sonnet 3.7', 'sonnet', TIER.t3_15, K200, false),
  model('claude-3-5-sonnet', 'Sonnet 3.5', 'sonnet', TIER.t3_15, K200, false),
  model('claude-3-5-haiku', 'Haiku 3.5', 'haiku', TIER.haiku35, K200, false),
  model('claude-3-opus', 'Opus 3', 'opus', TIER.t15_75, K200, false),
  model('claude-3-sonnet', 'Sonnet 3', 'sonnet', TIER.t3_15, K200, false),
  model('claude-3-haiku', 'Haiku 3', 'haiku', TIER.haiku3, K200, false)
]

/** The models the choosers offer. */
export const MODELS: readonly ModelInfo[] = ALL_MODELS.filter((m) => m.current)

/** The four analysts' model, unless one is chosen. */
export const DEFAULT_ANALYST_MODEL = 'claude-sonnet-5-5'
/** The merge's model, unless one is chosen: the analysts' model (this when none was chosen either). */
export const DEFAULT_MERGE_MODEL = DEFAULT_ANALYST_MODEL
/** The support check (each cited run against the rules citing it): many small calls, so a cheap model. */
export const DEFAULT_CHECK_MODEL = 'claude-haiku-5-5'
/** The model that writes variations, unless one is chosen. */
export const DEFAULT_VARIATION_MODEL = 'claude-sonnet-5-5'
/** Runs use Claude Code's own default model unless the batch names one. */
export const RUN_MODEL_DEFAULT_LABEL = "Claude Code's default"

/** Other names of catalog models (Claude Code's aliases, the 4.0 models' short ids). */
const ALIASES: Record<string, string> = {
  'claude-sonnet-4': 'claude-sonnet-4-0',
  'claude-opus-4': 'claude-opus-4-0',
  'claude-3-7-sonnet-latest': 'claude-3-7-sonnet',
  'claude-3-5-sonnet-latest': 'claude-3-5-sonnet',
  'claude-3-5-haiku-latest': 'claude-3-5-haiku'
}

const BY_ID = new Map(ALL_MODELS.map((m) => [m.id, m]))

/**
 * A model id as the catalog spells it: `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`;
 * `us.anthropic.claude-haiku-4-5-20251001-v1:0`, `claude-3-5-haiku@20241022`, `claude-opus-4-6[1m]` too.
 */
export function canonicalModel(id: string): string {
  let m = id.trim().toLowerCase()
  m = m.replace(/\[\d+m\]$/, '')
  m = m.replace(/^(?:[a-z]{2,6}\.)?anthropic\./, '')
  m = m.replace(/-v\d+(?::\d+)?$/, '')
  m = m.replace(/@\d{8}$/, '').replace(/-\d{8}$/, '')
  return ALIASES[m] ?? m
}

export const modelInfo = (id: string): ModelInfo | undefined => BY_ID.get(canonicalModel(id))

/** The newest model of a family, for a model id the table does not know yet (`claude-sonnet-9`). */
const FAMILY = /(opus|sonnet|haiku|fable|mythos)/

/**
 * The price of a model: its own row, else (a newer id than this table, or an alias such as `sonnet`)
 * its family's newest row, else null: an unknown model is not priced (its tokens cost 0, and the cost says it is estimated).
 */
export function priceOf(id: string): ModelPrice | null {
  const known = modelInfo(id)
  if (known) return known.price
  const family = canonicalModel(id).match(FAMILY)?.[1]
  if (!family) return null
  return ALL_MODELS.find((m) => m.family === family)?.price ?? null
}

export const isPriced = (id: string): boolean => priceOf(id) !== null

/** One API response's tokens, with the part of the cache writes that had a 1-hour lifetime if known. */
export type PricedUsage = Usage & { cacheCreation1h?: number }

/**
 * The list-price cost in USD of one API response (one message) of a model. Price whole responses:
 * the long-prompt rate depends on one request's prompt size.
 */
export function messageCostUsd(id: string, u: PricedUsage): number {
  const p = priceOf(id)
  if (!p) return 0
  const r: Rates = p.longPrompt && u.input + u.cacheRead + u.cacheCreation > p.longPrompt.above ? p.longPrompt : p
  const hour = Math.min(Math.max(0, u.cacheCreation1h ?? 0), u.cacheCreation)
  return (
    (u.input * r.input +
      u.output * r.output +
      u.cacheRead * r.cacheRead +
      (u.cacheCreation - hour) * r.cacheWrite5m +
      hour * r.cacheWrite1h) /
    1e6
  )
}

/** "Sonnet 5.5 · $2 / $10 per MTok": what a chooser shows beside an id. */
export function modelLabel(m: ModelInfo): string {
  const usd = (n: number) => `$${n < 1 ? n.toFixed(2).replace(/0$/, '') : n}`
  return `${m.label} · ${usd(m.price.input)} in / ${usd(m.price.output)} out per MTok${m.contextWindow ? ` · ${m.contextWindow >= M ? `${m.contextWindow / M}M` : `${m.contextWindow / 1000}k`} context` : ''}`
}
