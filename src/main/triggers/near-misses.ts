/**
 * Near misses asked of the variation writer (issue 23): prompts that share words with the skill's task
 * but ask for other work, the should-not-trigger queries. The writer is asked for `count` of them and no
 * ordinary variation (src/main/runs/variations.ts: an empty mix, its answer checked, asked once more if it
 * does not fit), told the set's prompts so it repeats none; they are added to the set as it stands (the
 * person's saved set, or the default one) as should:false, source 'writer', without duplicates.
 */
import type { RequestInput } from '../../shared/contract'
import { fail } from '../../shared/contract'
import type { Mix, Task } from '../../shared/runs'
import type { Skill } from '../../shared/skills'
import { MAX_QUERIES, type TriggerQuery, type TriggersView } from '../../shared/triggers'
import { generateVariations } from '../runs/variations'
import type { TriggersContext } from './context'
import { currentQueries, promptId, promptKey, triggersView } from './queries'

const NO_VARIATIONS: Mix = { easy: 0, normal: 0, hard: 0, adversarial: 0 }

/** The task a skill's variations are written from: its own, else its newest batch's. */
export function taskOfSkill(ctx: Pick<TriggersContext, 'store'>, skill: Pick<Skill, 'taskId' | 'batchIds'>): Task | undefined {
  const ids = [skill.taskId, ...[...skill.batchIds].reverse().map((b) => ctx.store.batches.head(b)?.taskId)]
  for (const id of ids) {
    const t = id ? ctx.store.index.task(id) : undefined
    if (t) return t
  }
  return undefined
}

/** The set with the written prompts added as near misses (source 'writer'), each prompt once in the whole set. */
export function withNearMisses(current: TriggerQuery[], prompts: string[]) {
  const seen = new Set(current.map((q) => promptKey(q.prompt)))
  const ids = new Set(current.map((q) => q.id))
  const added: TriggerQuery[] = []
  for (const p of prompts) {
    const prompt = p.trim()
    const id = promptId(prompt)
    if (!prompt || seen.has(promptKey(prompt)) || ids.has(id)) continue
    seen.add(promptKey(prompt))
    ids.add(id)
    added.push({ id, prompt, should: false, source: 'writer' })
  }
  return { queries: [...current, ...added], added }
}

export async function writeNearMisses(ctx: TriggersContext, input: RequestInput<'writeNearMisses'>): Promise<TriggersView> {
  const skill = await ctx.skills.skillOf(input.skillId)
  const task = taskOfSkill(ctx, skill)
  if (!task)
    throw fail(
      `${skill.frontMatter.name || skill.id} has no task to write near misses from (it was not learned from a batch of runs): add near misses by hand`,
      'invalid'
    )
  const { queries: current } = await currentQueries(ctx, skill.id)
  if (current.length + input.count > MAX_QUERIES)
    throw fail(
      `the set has ${current.length} queries; ${input.count} more would be over the ${MAX_QUERIES} a set may hold: ask for fewer or remove some`,
      'invalid'
    )
  const written = await generateVariations(await ctx.apiAccess(), task, NO_VARIATIONS, {
    model: input.model,
    nearMisses: input.count,
    // the set's prompts: the writer is told them, and an answer repeating one is asked again
    avoid: current.map((q) => q.prompt)
  })
  const { queries, added } = withNearMisses(
    current,
    written.filter((v) => v.nearMiss).map((v) => v.prompt)
  )
  if (added.length) await ctx.store.triggers.putQueries(skill.id, queries)
  ctx.log.info({ skillId: skill.id, asked: input.count, added: added.length }, 'near misses written')
  return triggersView(ctx, skill.id)
}
