/**
 * What a Claude Code JSONL record means: shared by the full parser and the fast summarizer so they
 * always agree.
 */
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

/** Usage of an API response in our shape (0 for absent fields). */
export function usageOf(u: unknown): Usage | null {
  if (!isObj(u)) return null
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
  return {
    input: n(u.input_tokens),
    output: n(u.output_tokens),
    cacheRead: n(u.cache_read_input_tokens),
    cacheCreation: n(u.cache_creation_input_tokens)
  }
}

export const SYNTHETIC_MODEL = '<synthetic>'

/**
 * Usage counted once per API message id: Claude Code writes one assistant line per content block,
 * each repeating the message's usage. The latest line of an id wins (its output count is final).
 */
export class UsageLedger {
  readonly byId = new Map<string, { usage: Usage; model: string }>()
  private anon = 0

  add(id: string | undefined, model: string | undefined, usage: Usage): void {
    const key = id ?? `#anon-${this.anon++}`
    const prev = this.byId.get(key)
    if (prev && prev.usage.output > usage.output) return
    this.byId.set(key, { usage, model: model ?? prev?.model ?? '' })
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

  cost(price: (model: string, u: Usage) => number): number {
    let c = 0
    for (const { usage, model } of this.byId.values()) c += price(model, usage)
    return c
  }
}

/** Every base64 image block inside a value, in document order (the order ImageRef.index counts in). */
export function imageBlocks(value: unknown, out: Rec[] = []): Rec[] {
  if (Array.isArray(value)) {
    for (const v of value) imageBlocks(v, out)
  } else if (isObj(value)) {
    if (value.type === 'image' && isObj(value.source) && value.source.type === 'base64' && typeof value.source.data === 'string') out.push(value)
    else for (const k of Object.keys(value)) imageBlocks(value[k], out)
  }
  return out
}
