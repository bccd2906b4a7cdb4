/**
 * The skill a confirmation's run installs: the version as it would be with only the run's rule of
 * those under test (the version's other rules, those not drawn from bad runs, stay; the other rules
 * under test are left out), rendered as an export renders it under the version's name, so a pass or a
 * break is that rule's. Electron-free.
 */
import { exportedScripts } from '../../../shared/skill-scripts'
import type { Skill, SkillVersion } from '../../../shared/skills'
import type { Verification } from '../../../shared/verify'
import { skillFiles, type ExportFile } from '../../skills/export'
import { rendered } from '../../skills/service'
import { nameOf, stateOf, type VerifyContext } from '../context'
import { fileRecords } from '../install'

/** The version's skill with only `ruleId` of the rules under test (`underTest`); the others as they are. */
export function skillWithOnly(version: SkillVersion, underTest: string[], ruleId: string): Skill {
  const s = stateOf(version)
  const out = new Set(underTest.filter((id) => id !== ruleId))
  return { ...s, rules: (s.rules ?? []).filter((r) => !out.has(r.id)) }
}

/** The files of the version with only `ruleId` of the rules under test, as an export writes them (no agents). */
export function filesWithOnly(version: SkillVersion, underTest: string[], ruleId: string): ExportFile[] {
  const s = skillWithOnly(version, underTest, ruleId)
  const { skillMd, references } = rendered(s)
  return skillFiles({ name: nameOf(version), skillMd, references, agents: [], scripts: exportedScripts(s.rules) })
}

const versionOf = async (ctx: Pick<VerifyContext, 'store'>, v: Verification) => {
  const version = await ctx.store.skills.version(v.version.id)
  if (!version) throw new Error(`the skill version this confirmation tests is gone (version ${v.version.number})`)
  return version
}

/** What a run of a confirmation installs: the version with only its rule of those under test. */
export async function confirmFiles(
  ctx: Pick<VerifyContext, 'store'>,
  v: Verification,
  slot: Verification['arms'][string]
): Promise<ExportFile[]> {
  const underTest = (v.confirm?.rules ?? []).map((r) => r.id)
  if (!slot.rule || !underTest.includes(slot.rule)) throw new Error('this run of the confirmation names no rule under test')
  return filesWithOnly(await versionOf(ctx, v), underTest, slot.rule)
}

/** For the confirmation's record: per rule under test, the files its runs install with their sizes and hashes. */
export async function confirmInstalled(
  ctx: Pick<VerifyContext, 'store'>,
  v: Verification
): Promise<NonNullable<Verification['installed']>> {
  const version = await versionOf(ctx, v)
  const underTest = (v.confirm?.rules ?? []).map((r) => r.id)
  return underTest.map((rule) => ({
    arm: 'with' as const,
    versionId: version.id,
    name: nameOf(version),
    rule,
    files: fileRecords(filesWithOnly(version, underTest, rule))
  }))
}
