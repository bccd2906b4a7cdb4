/**
 * The skill whose triggers are measured: the name and description a query run installs, the batches
 * it was learned from, and the run settings a query run gets (those batches', else the app's defaults,
 * then the person's). Electron-free.
 */
import { fail } from '../../shared/contract'
import { parseSkillMd } from '../../shared/skill-md-read'
import type { RunSettings } from '../../shared/runs'
import type { Skill, SkillVersion } from '../../shared/skills'
import type { VerifySettings } from '../../shared/verify'
import { settingsFor } from '../skills/run-settings'
import type { SkillUnderTest, TriggersContext } from './context'

type Ctx = Pick<TriggersContext, 'store' | 'skills'>

const stateOf = (v: SkillVersion) => v.state as Partial<Skill> | undefined

/** A version's name and description as Claude Code reads them: its SKILL.md's front matter, else its saved state's. */
export function frontMatterOf(v: Pick<SkillVersion, 'skillMd' | 'state'>): { name: string; description: string } {
  const parsed = parseSkillMd(v.skillMd).frontMatter
  const fm = stateOf(v as SkillVersion)?.frontMatter
  return { name: parsed.name || fm?.name || '', description: parsed.description || fm?.description || '' }
}

/**
 * A SKILL.md with its front matter's description replaced (the body kept): what a query run installs
 * when the description under test is not the version's own (the optimiser's proposals).
 */
export function withDescription(md: string, name: string, description: string): string {
  const line = `description: ${JSON.stringify(description.trim())}`
  const m = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(\r?\n|$)/.exec(md)
  if (!m) return `---\nname: ${name}\n${line}\n---\n\n${md}`
  const kept: string[] = []
  const lines = m[1].split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    if (/^description\s*:/.test(lines[i])) {
      // its continuation lines (indented, or blank inside a block) go with it
      while (i + 1 < lines.length && (/^\s+\S/.test(lines[i + 1]) || lines[i + 1].trim() === '')) i++
      continue
    }
    kept.push(lines[i])
  }
  const at = kept.findIndex((l) => /^name\s*:/.test(l))
  kept.splice(at < 0 ? kept.length : at + 1, 0, line)
  return `---\n${kept.join('\n')}\n---\n${md.slice(m[0].length)}`
}

/** What a query run installs for a version: its SKILL.md, with `description` instead of its own when given. */
export function skillUnderTest(version: SkillVersion, description?: string): SkillUnderTest {
  const fm = frontMatterOf(version)
  if (!fm.name) throw fail('the version has no name in its front matter: name the skill in the composer first', 'invalid')
  if (description === undefined || description.trim() === fm.description.trim())
    return { name: fm.name, description: fm.description, skillMd: version.skillMd }
  return { name: fm.name, description: description.trim(), skillMd: withDescription(version.skillMd, fm.name, description) }
}

/** The batches the skill was learned from (every version's and the skill's), those still in the store, oldest first. */
export async function batchesOf(ctx: Ctx, skill: Skill): Promise<string[]> {
  const ids: string[] = []
  for (const v of await ctx.store.skills.versions(skill.id)) ids.push(...(stateOf(v)?.batchIds ?? []))
  ids.push(...skill.batchIds)
  return [...new Set(ids)].filter((id) => ctx.store.batches.has(id))
}

/**
 * A query run's settings: the newest batch the skill was learned from (unless all its runs were
 * imported), else the app's defaults (sandboxed), then the person's. Never the user's own Claude Code
 * settings: a same-name skill of theirs would stand in for the one under test.
 */
export const settingsOf = async (ctx: Ctx, skill: Skill, over: VerifySettings = {}): Promise<RunSettings> =>
  settingsFor(ctx, await batchesOf(ctx, skill), over)
