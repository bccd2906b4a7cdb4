/**
 * What an optimisation works on: a version of a skill (the newest by default), its name, description
 * and SKILL.md, a SKILL.md with another description in its front matter, the query set (the person's
 * saved one, else the default set), and the run settings (the skill's last batch's, or the app's
 * defaults, with what the request sets). Electron-free.
 */
import { fail } from '../../shared/contract'
import { RunSettingsSchema, type RunSettings } from '../../shared/runs'
import { skillBody, yamlQuote } from '../../shared/skill-md'
import type { Skill, SkillVersion } from '../../shared/skills'
import type { TriggerQuery } from '../../shared/triggers'
import type { VerifySettings } from '../../shared/verify'
import type { TriggersContext } from './context'
import { triggersView } from './queries'

/** A SKILL.md with `description` in its front matter instead of the one it has (front matter added when it has none). */
export function withDescription(md: string, description: string, name: string): string {
  const line = `description: ${yamlQuote(description)}`
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(md)
  if (!m) return `---\nname: ${name}\n${line}\n---\n\n${md}`
  const lines = m[1].split(/\r?\n/)
  const out: string[] = []
  let placed = false
  for (let i = 0; i < lines.length; i++) {
    if (!/^description\s*:/.test(lines[i])) {
      out.push(lines[i])
      continue
    }
    // the key's own continuation lines (indented, or blank inside a block) go with it
    while (i + 1 < lines.length && (/^\s+\S/.test(lines[i + 1]) || lines[i + 1].trim() === '')) i++
    if (!placed) out.push(line)
    placed = true
  }
  if (!placed) out.push(line)
  return `---\n${out.join('\n')}\n---\n${md.slice(m[0].length)}`
}

export interface Subject {
  skill: Skill
  version: SkillVersion
  name: string
  description: string
  skillMd: string
  /** what it does: the SKILL.md's body */
  body: string
}

/** A skill's version (the newest when none is given), refused when it is another skill's. */
export async function subjectOf(ctx: Pick<TriggersContext, 'skills' | 'store'>, skillId: string, versionId?: string): Promise<Subject> {
  const skill = await ctx.skills.skillOf(skillId)
  const version = versionId ? await ctx.skills.version(versionId) : (await ctx.store.skills.versions(skillId)).pop()
  if (!version) throw fail(`The skill ${skill.frontMatter.name} has no saved version yet.`, 'not-found')
  if (version.skillId !== skillId) throw fail(`Version ${version.number} is not a version of ${skill.frontMatter.name}.`, 'invalid')
  const state = version.state as Skill
  return {
    skill,
    version,
    name: state.frontMatter.name,
    description: state.frontMatter.description,
    skillMd: version.skillMd,
    body: skillBody(version.skillMd)
  }
}

/** The query set: the person's saved one, else the default set the page shows. */
export async function queriesOf(ctx: TriggersContext, skillId: string): Promise<TriggerQuery[]> {
  const saved = (await ctx.store.triggers.get(skillId))?.set.queries ?? []
  return saved.length ? saved : (await triggersView(ctx, skillId)).queries
}

/** The claude runs' settings: the skill's last batch's (the app's defaults for imported runs), with what the request sets. */
export async function runSettingsOf(ctx: Pick<TriggersContext, 'store'>, skill: Skill, over: VerifySettings = {}): Promise<RunSettings> {
  const lastId = skill.batchIds[skill.batchIds.length - 1]
  const last = lastId ? await ctx.store.batches.get(lastId) : undefined
  const base = last && !Object.values(last.runs).every((r) => r.imported) ? last.batch.settings : RunSettingsSchema.parse({})
  const defined = Object.fromEntries(Object.entries(over).filter(([, x]) => x !== undefined))
  // the user's own Claude settings never: no skill of theirs may stand in for the one under test
  return RunSettingsSchema.parse({ ...base, ...defined, repeats: 1, useMyClaudeSettings: undefined })
}
