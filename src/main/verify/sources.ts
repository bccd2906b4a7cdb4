/**
 * What a verification is over: the skill, the version verified and the one it is compared against, the
 * batches the skill was learned from (their variations, their mix, their run settings). Electron-free.
 */
import { fail } from '../../shared/contract'
import { DEFAULT_MIX, DIFFICULTIES, RunSettingsSchema, type Mix } from '../../shared/runs'
import type { Skill, SkillVersion } from '../../shared/skills'
import type { VerifySettings, VerifyVariation } from '../../shared/verify'
import { stateOf, type VerifyContext, type VerifyInput } from './context'

type Ctx = Pick<VerifyContext, 'store' | 'skills'>

/** The skill, the version verified and the one it is compared against. */
export async function resolveVersions(ctx: Ctx, input: Pick<VerifyInput, 'skillId' | 'versionId' | 'against'>) {
  const skill = await ctx.skills.skillOf(input.skillId)
  const versions = await ctx.store.skills.versions(skill.id)
  if (!versions.length) throw fail('this skill has no saved version yet: save it in the composer first', 'invalid')
  const version = input.versionId ? versions.find((v) => v.id === input.versionId) : versions[versions.length - 1]
  if (!version) throw fail(`version ${input.versionId} is not a version of this skill`, 'invalid')
  let against: SkillVersion | null = null
  if (input.against && input.against !== 'none') {
    against = versions.find((v) => v.id === input.against) ?? null
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

/** The run settings: the newest learned-from batch's (unless all imported), then the person's. */
export async function settingsFor(ctx: Pick<Ctx, 'store'>, batchIds: string[], over: VerifySettings = {}) {
  const last = batchIds.length ? await ctx.store.batches.get(batchIds[batchIds.length - 1]) : undefined
  const base = last && !Object.values(last.runs).every((r) => r.imported) ? last.batch.settings : RunSettingsSchema.parse({})
  const defined = Object.fromEntries(Object.entries(over).filter(([, x]) => x !== undefined))
  // each arm runs every variation `repeats` times: the batch itself plans its runs one by one; with the
  // app's Claude Code settings only, so no skill of the user's own folder can stand in for the one under test
  return RunSettingsSchema.parse({ ...base, ...defined, repeats: 1, useMyClaudeSettings: undefined })
}
