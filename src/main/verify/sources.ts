/**
 * What a verification is over: the skill, the version verified and the one it is compared against, the
 * batches the skill was learned from (their variations, their mix, their run settings). Electron-free.
 */
import { fail } from '../../shared/contract'
import { DEFAULT_MIX, DIFFICULTIES, type Mix } from '../../shared/runs'
import type { Skill, SkillVersion } from '../../shared/skills'
import type { VerifyVariation } from '../../shared/verify'
export { settingsFor } from '../skills/run-settings'
import { stateOf, type VerifyContext, type VerifyInput } from './context'

type Ctx = Pick<VerifyContext, 'store' | 'skills'>

/** The skill, the version verified and the one it is compared against. */
export async function resolveVersions(ctx: Ctx, input: Pick<VerifyInput, 'skillId' | 'versionId' | 'against'>) {
  const { skill, version } = await ctx.skills.skillVersion(input.skillId, input.versionId)
  let against: SkillVersion | null = null
  if (input.against && input.against !== 'none') {
    against = (await ctx.store.skills.versions(skill.id)).find((v) => v.id === input.against) ?? null
    if (!against) throw fail(`version ${input.against} is not a version of this skill`, 'invalid')
    if (against.id === version.id) throw fail('compare a version with another version, or with no skill', 'invalid')
  }
  return { skill, version, against }
}

/** The batches the skill was learned from, newest last (those still in the store). */
export const learnedFrom = (ctx: Pick<Ctx, 'store'>, skill: Skill, version: SkillVersion) =>
  [...new Set([...(stateOf(version).batchIds ?? []), ...skill.batchIds])].filter((id) => ctx.store.batches.has(id))

/** The variations of a batch, each once (repeats folded), in run order. */
export async function variationsOfBatch(ctx: Pick<Ctx, 'store'>, batchId: string): Promise<VerifyVariation[]> {
  const doc = await ctx.store.batches.get(batchId)
  if (!doc) return []
  const seen = new Set<string>()
  const out: VerifyVariation[] = []
  for (const r of ctx.store.batches.runsOf(doc).sort((a, b) => a.number - b.number)) {
    const key = r.prompt.trim()
    if (!key || seen.has(key)) continue
    seen.add(key)
    out.push({ difficulty: r.difficulty ?? 'normal', prompt: r.prompt })
  }
  return out
}

/** Every prompt the skill was learned from: fresh variations may repeat none of them. */
export const learnedPrompts = async (ctx: Pick<Ctx, 'store'>, batchIds: string[]) =>
  (await Promise.all(batchIds.map((id) => variationsOfBatch(ctx, id)))).flat().map((x) => x.prompt)

/** The mix of the analysed batch (the newest the skill was learned from), else the default. */
export const mixOf = (variations: VerifyVariation[]): Mix => {
  const mix = Object.fromEntries(DIFFICULTIES.map((k) => [k, variations.filter((x) => x.difficulty === k).length])) as Mix
  return DIFFICULTIES.some((k) => mix[k] > 0) ? mix : DEFAULT_MIX
}
