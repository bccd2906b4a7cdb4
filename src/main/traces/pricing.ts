/**
 * Model prices (USD per million tokens) for the cost column. Cache writes cost 1.25x input and cache
 * reads 0.1x input. Unknown models cost 0 and `isPriced` says so.
 */
import type { Usage } from '../../shared/trace'

interface Price {
  input: number
  output: number
}

// Most specific first.
const TABLE: [RegExp, Price][] = [
  [/opus-4-(?:[5-9]|\d\d)|opus-(?:[5-9])/, { input: 5, output: 25 }],
  [/opus-4|opus-4-1|claude-3-opus/, { input: 15, output: 75 }],
  [/sonnet/, { input: 3, output: 15 }],
  [/haiku-4|haiku-(?:[5-9])/, { input: 1, output: 5 }],
  [/3-5-haiku|haiku-3-5/, { input: 0.8, output: 4 }],
  [/haiku/, { input: 0.25, output: 1.25 }]
]

function priceOf(model: string): Price | null {
  for (const [re, p] of TABLE) if (re.test(model)) return p
  return null
}

export const isPriced = (model: string): boolean => priceOf(model) !== null

export function costUsd(model: string, u: Usage): number {
  const p = priceOf(model)
  if (!p) return 0
  return (u.input * p.input + u.output * p.output + u.cacheCreation * p.input * 1.25 + u.cacheRead * p.input * 0.1) / 1e6
}
