/**
 * A skill's trigger queries and the page's view. Until the person saves a set, the default one:
 * should-trigger, the prompts of the skill's batches' variations and of its verifications' (fresh or
 * pasted); should-not, the task's near misses. Ids are stable (the variation's id, else a hash of the
 * prompt), never a path. Electron-free.
 */
import { createHash } from 'node:crypto'
import type { RequestInput } from '../../shared/contract'
import { fail } from '../../shared/contract'
import { MAX_QUERIES, TriggerQuerySchema, type TriggerQuery, type TriggersView } from '../../shared/triggers'
import type { TriggersContext } from './context'
import { findRivals } from './rivals'
import { batchesOf, frontMatterOf } from './skill'

type Ctx = Pick<TriggersContext, 'store' | 'skills'>

/** A prompt as two queries are compared: trimmed, spaces folded, lower case. */
export const promptKey = (p: string) => p.replace(/\s+/g, ' ').trim().toLowerCase()
/** The id of a query that has no variation: a hash of its prompt (stable across reads). */
export const promptId = (p: string) => `p-${createHash('sha256').update(promptKey(p)).digest('hex').slice(0, 16)}`

/** The default set of a skill: its batches' and verifications' prompts (should), the task's near misses (should-not). */
export async function defaultQueries(ctx: Ctx, skillId: string): Promise<TriggerQuery[]> {
  const skill = await ctx.skills.skillOf(skillId)
  const out: TriggerQuery[] = []
  const seen = new Set<string>()
  const add = (q: TriggerQuery) => {
    const key = promptKey(q.prompt)
    if (!key || seen.has(key) || out.length >= MAX_QUERIES) return
    seen.add(key)
    out.push({ ...q, prompt: q.prompt.trim() })
  }
  const batches = await batchesOf(ctx, skill)
  const taskIds = new Set<string>(skill.taskId ? [skill.taskId] : [])
  for (const id of batches) {
    const t = ctx.store.batches.head(id)?.taskId
    if (t) taskIds.add(t)
  }
  const nearMiss = new Map(
    [...taskIds]
      .flatMap((t) => ctx.store.index.variations(t))
      .filter((v) => v.nearMiss)
      .map((v) => [v.id, v] as const)
  )
  const nearKeys = new Set([...nearMiss.values()].map((v) => promptKey(v.prompt)))
  const should = (prompt: string, source: TriggerQuery['source'], variationId?: string) => {
    if (nearKeys.has(promptKey(prompt)) || (variationId && nearMiss.has(variationId))) return
    add({ id: variationId ? `v-${variationId}` : promptId(prompt), prompt, should: true, source, ...(variationId ? { variationId } : {}) })
  }
  for (const id of batches) {
    const doc = await ctx.store.batches.get(id)
    if (!doc) continue
    for (const r of ctx.store.batches.runsOf(doc).sort((a, b) => a.number - b.number)) should(r.prompt, 'batch', r.variationId)
  }
  for (const vid of ctx.store.verifications.ofSkill(skill.id)) {
    const v = await ctx.store.verifications.get(vid)
    if (v && (v.source === 'fresh' || v.source === 'pasted')) for (const x of v.variations) should(x.prompt, 'verification')
  }
  for (const v of nearMiss.values()) add({ id: `v-${v.id}`, prompt: v.prompt, should: false, source: 'near-miss', variationId: v.id })
  return out
}

/** The set measured: the one saved (by the person, or with near misses added), else the default set. */
export async function currentQueries(ctx: Ctx, skillId: string): Promise<{ queries: TriggerQuery[]; reviewedAt?: string }> {
  const doc = await ctx.store.triggers.get(skillId)
  if (doc && (doc.set.reviewedAt || doc.set.queries.length))
    return { queries: doc.set.queries, ...(doc.set.reviewedAt ? { reviewedAt: doc.set.reviewedAt } : {}) }
  return { queries: await defaultQueries(ctx, skillId) }
}

const newestFirst = <T extends { startedAt: string }>(xs: T[]) => [...xs].sort((a, b) => b.startedAt.localeCompare(a.startedAt))

export async function triggersView(ctx: TriggersContext, skillId: string): Promise<TriggersView> {
  const skill = await ctx.skills.skillOf(skillId)
  const versions = await ctx.store.skills.versions(skill.id)
  const newest = versions[versions.length - 1]
  const { name, description } = newest
    ? frontMatterOf(newest)
    : { name: skill.frontMatter?.name ?? '', description: skill.frontMatter?.description ?? '' }
  const { queries, reviewedAt } = await currentQueries(ctx, skill.id)
  const doc = await ctx.store.triggers.get(skill.id)
  return {
    skillId: skill.id,
    name,
    description,
    queries,
    ...(reviewedAt ? { reviewedAt } : {}),
    rivals: await findRivals(ctx, { skillId: skill.id, name, description, queries }),
    measures: newestFirst(Object.values(doc?.measures ?? {})),
    optimisations: newestFirst(Object.values(doc?.optimisations ?? {}))
  }
}

/** Why a set cannot be saved, in one sentence (null: it can). */
export function queriesProblem(queries: unknown[]): string | null {
  if (queries.length > MAX_QUERIES) return `at most ${MAX_QUERIES} queries in a set (this one has ${queries.length})`
  const ids = new Set<string>()
  const prompts = new Map<string, number>()
  for (const [i, raw] of queries.entries()) {
    const n = i + 1
    const parsed = TriggerQuerySchema.safeParse(raw)
    const prompt = typeof (raw as { prompt?: unknown })?.prompt === 'string' ? (raw as { prompt: string }).prompt : ''
    if (!prompt.trim()) return `query ${n} has an empty prompt`
    if (!parsed.success) return `query ${n} is not a query: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`
    const q = parsed.data
    if (ids.has(q.id)) return `two queries have the id ${JSON.stringify(q.id)}`
    ids.add(q.id)
    const key = promptKey(q.prompt)
    const before = prompts.get(key)
    if (before) return `queries ${before} and ${n} have the same prompt`
    prompts.set(key, n)
  }
  return null
}

/** Replace the set with the person's (reviewed): refused whole, nothing saved, when any query is bad. */
export async function saveQueries(ctx: TriggersContext, input: RequestInput<'saveTriggerQueries'>): Promise<TriggersView> {
  const skill = await ctx.skills.skillOf(input.skillId)
  const problem = queriesProblem(input.queries)
  if (problem) throw fail(`the queries were not saved: ${problem}`, 'invalid')
  const queries = input.queries.map((q) => ({ ...q, prompt: q.prompt.trim() }))
  await ctx.store.triggers.putQueries(skill.id, queries, true)
  return triggersView(ctx, skill.id)
}
