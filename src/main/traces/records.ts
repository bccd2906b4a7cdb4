/**
 * What a Claude Code JSONL record means: shared by the full parser and the fast summarizer so they
 * always agree.
 */
import type { PricedUsage } from '../../shared/models'
import { roundUsd } from '../../shared/numbers'
import type { Usage } from '../../shared/trace'

export type Rec = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** Bookkeeping record types Claude Code writes that carry no conversation content. */
export const META_TYPES = new Set([
  'attachment',
  'queue-operation',
  'file-history-snapshot',
  'last-prompt',
  'progress',
  'custom-title',
  'tag',
  'agent-name',
  'pr-link',
  'atis-latch',
  'api-request',
  'api-request-shape',
  'api-request-blob',
  'cost-state',
  'tools-used'
])

export const isObj = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v)

export function contentBlocks(message: unknown): Rec[] {
  if (!isObj(message)) return []
  const c = message.content
  if (typeof c === 'string') return [{ type: 'text', text: c }]
  return Array.isArray(c) ? c.filter(isObj) : []
}

/** A user line that a person typed (text or images), not tool results, injected context or a compact summary. */
export function isRealPrompt(rec: Rec): boolean {
  if (rec.type !== 'user' || rec.isMeta === true || rec.isCompactSummary === true || rec.isVisibleInTranscriptOnly === true) return false
  // Injected by Claude Code itself (e.g. a background task's notification), not typed by a person.
  if (rec.promptSource === 'system' || (isObj(rec.origin) && rec.origin.kind === 'task-notification')) return false
  const blocks = contentBlocks(rec.message)
  if (blocks.length === 0) return false
  if (blocks.some((b) => b.type === 'tool_result')) return false
  return blocks.some((b) => (b.type === 'text' && typeof b.text === 'string' && b.text.trim() !== '') || b.type === 'image')
}

/** The text of a prompt, images left out. */
export function promptText(rec: Rec): string {
  return contentBlocks(rec.message)
    .filter((b) => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .join('\n')
}

/** Token counts above this per message are not real (the largest context windows are ~10^6). */
export const MAX_TOKENS = 1e9

/** A token count Claude Code could have written: a whole number from 0 to MAX_TOKENS. */
export const isTokenCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_TOKENS

const USAGE_FIELDS = [
  ['input', 'input_tokens'],
  ['output', 'output_tokens'],
  ['cacheRead', 'cache_read_input_tokens'],
  ['cacheCreation', 'cache_creation_input_tokens']
] as const

/**
 * Usage of an API response in our shape (0 for absent fields), with the part of its cache writes
 * that had a 1-hour lifetime (priced higher) when Claude Code recorded it. A value that is not a
 * plausible token count (negative, fractional, huge, not a number) counts 0 and is named in `bad`,
 * so totals and cost stay sane and the caller can warn.
 */
export function usageOf(u: unknown): { usage: PricedUsage; bad: string[] } | null {
  if (!isObj(u)) return null
  const usage: PricedUsage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }
  const bad: string[] = []
  for (const [ours, theirs] of USAGE_FIELDS) {
    const v = u[theirs]
    if (isTokenCount(v)) usage[ours] = v
    else if (v !== undefined && v !== null)
      bad.push(
        `usage.${theirs} = ${typeof v === 'number' ? String(v) : typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : `(${Array.isArray(v) ? 'an array' : typeof v})`}`
      )
  }
  const hour = isObj(u.cache_creation) ? u.cache_creation.ephemeral_1h_input_tokens : undefined
  if (isTokenCount(hour) && hour > 0) usage.cacheCreation1h = Math.min(hour, usage.cacheCreation)
  return { usage, bad }
}

export const implausibleTokens = (bad: string[]) => `implausible token count ignored: ${bad.join(', ')}`

export const SYNTHETIC_MODEL = '<synthetic>'

/**
 * Usage counted once per API message id: Claude Code writes one assistant line per content block,
 * each repeating the message's usage. The latest line of an id wins (its output count is final).
 * A line without an id is a message of its own. Every message id seen is one turn (see
 * src/shared/numbers.ts); `<synthetic>` messages are not given to the ledger.
 */
export class UsageLedger {
  readonly byId = new Map<string, { usage: PricedUsage; model: string }>()
  /** distinct messages seen, with or without usage */
  private readonly seen = new Set<string>()
  private anon = 0

  /** A line of an assistant message: counts its message once, and its usage (if any) once. */
  message(id: string | undefined, model: string | undefined, usage: PricedUsage | undefined): void {
    const key = id ?? `#anon-${this.anon++}`
    this.seen.add(key)
    if (usage) this.add(key, model, usage)
  }

  add(id: string | undefined, model: string | undefined, usage: PricedUsage): void {
    const key = id ?? `#anon-${this.anon++}`
    const prev = this.byId.get(key)
    if (prev && prev.usage.output > usage.output) return
    this.byId.set(key, { usage, model: model ?? prev?.model ?? '' })
  }

  /** Messages seen: the conversation's turns. */
  get turns(): number {
    return this.seen.size
  }

  total(): Usage {
    const t: Usage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }
    for (const { usage } of this.byId.values()) {
      t.input += usage.input
      t.output += usage.output
      t.cacheRead += usage.cacheRead
      t.cacheCreation += usage.cacheCreation
    }
    return t
  }

  /** The estimated cost in USD, each message priced on its own (rounded: see roundUsd). */
  cost(price: (model: string, u: PricedUsage) => number): number {
    let c = 0
    for (const { usage, model } of this.byId.values()) c += price(model, usage)
    return roundUsd(c)
  }
}

/** Every base64 image block inside a value, in document order (the order ImageRef.index counts in). Iterative. */
export function imageBlocks(value: unknown, out: Rec[] = []): Rec[] {
  const stack: unknown[] = [value]
  while (stack.length) {
    const v = stack.pop()
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i])
    } else if (isObj(v)) {
      if (v.type === 'image' && isObj(v.source) && v.source.type === 'base64' && typeof v.source.data === 'string') out.push(v)
      else {
        const keys = Object.keys(v)
        for (let i = keys.length - 1; i >= 0; i--) stack.push(v[keys[i]])
      }
    }
  }
  return out
}
