/**
 * Rivals, named before measuring (issue 23): a skill of the same name that would shadow this one (Claude
 * Code lists one skill per name), and other installed skills whose descriptions compete for this skill's
 * should-trigger queries. Looked for in the user's skills folder (`<config>/skills`, and `~/.claude/skills`
 * when the config folder in use is elsewhere), each opened project's `.claude/skills`, and the folders
 * above the app's data folder (installed.ts).
 *
 * What is true of the app's own runs (checked with the real `claude`, test/triggers/rivals-claude.test.ts):
 * a query run loads the app's settings only (`--setting-sources project`), and then Claude Code does
 * not list the user's skills folder, so a same-name skill there does not shadow the one measured; with
 * the user's settings (`user,project`) it lists the user's one and not the project's. Claude Code lists
 * the skills of the folders above a run's folder too, the nearest of a name first.
 */
import type { Rival, TriggerQuery } from '../../shared/triggers'
import type { TriggersContext } from './context'
import { installedSkills, placesOf, type InstalledSkill } from './installed'
import { matchOf, skillTerms } from './words'

/** Another skill competes when it matches at least this share of the should-trigger queries at least as well. */
export const COMPETES_AT = 0.2

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)
const at = (p: string) => cut(p, 300)
const isUser = (s: InstalledSkill) => s.place.kind === 'user' || s.place.kind === 'default-user'

function sameNameMessage(s: InstalledSkill): string {
  const where = s.place.base
  switch (s.place.kind) {
    case 'user':
    case 'default-user':
      return `A skill named ${s.name} in ${s.place.kind === 'user' ? 'your skills folder' : "Claude Code's default skills folder (used when CLAUDE_CONFIG_DIR is not set)"} (${at(s.path)}) shadows this one wherever Claude Code loads your own skills: it lists one skill per name, and yours before a project's. The measurements here load the app's settings only (--setting-sources project), which leave your skills folder out, so they measure this one; runs with your own Claude Code settings would load yours instead.`
    case 'project':
      return `A skill named ${s.name} in the project ${at(where)} (${at(s.path)}) shadows this one in that project: Claude Code lists one skill per name. Exporting this skill there replaces it (the old files are backed up).`
    case 'above-data':
      return `A skill named ${s.name} in ${at(where)}, a folder above the app's data folder (${at(s.path)}): Claude Code lists the skills of the folders above a run's folder too, the nearest of a name first, so the measurements here still load this one; in a project under ${at(where)} without its own ${s.name}, that one loads instead.`
  }
}

function competesMessage(s: InstalledSkill, n: number, of: number): string {
  const matches = `${s.name} matches ${n} of the ${of} should-trigger ${of === 1 ? 'query' : 'queries'} at least as well as this description`
  switch (s.place.kind) {
    case 'user':
    case 'default-user':
      return `${matches}: it is in your skills folder (${at(s.path)}), so in your own sessions Claude Code may load it instead. The measurements here leave your skills folder out.`
    case 'project':
      return `${matches}: in the project ${at(s.place.base)} (${at(s.path)}) Claude Code may load it instead.`
    case 'above-data':
      return `${matches}: it is in ${at(s.place.base)}, above the app's data folder (${at(s.path)}), so Claude Code lists it in every run the app makes, these measurements too, and may load it instead.`
  }
}

const rival = (kind: Rival['kind'], s: InstalledSkill, message: string, queries?: number): Rival => ({
  kind,
  name: cut(s.name, 200),
  where: isUser(s) ? 'user' : 'project',
  path: cut(s.path, 4096),
  description: cut(s.description, 2000),
  ...(queries !== undefined ? { queries } : {}),
  message: cut(message, 1000)
})

/**
 * How many of the should-trigger prompts another skill matches (by words, its name and description)
 * at least as well as this skill's, and more than not at all.
 */
export function competingCount(
  mine: { name: string; description: string },
  theirs: { name: string; description: string },
  prompts: string[]
): number {
  const a = skillTerms(mine.name, mine.description)
  const b = skillTerms(theirs.name, theirs.description)
  return prompts.filter((p) => {
    const m = matchOf(b, p)
    return m > 0 && m >= matchOf(a, p)
  }).length
}

/** Same-name skills first (where Claude Code would list them), then the competing ones, most queries first. */
export async function findRivals(
  ctx: Pick<TriggersContext, 'store' | 'configDir' | 'env'> & { log?: TriggersContext['log'] },
  o: { skillId: string; name: string; description: string; queries: TriggerQuery[] }
): Promise<Rival[]> {
  const places = await placesOf({
    configDir: ctx.configDir,
    home: ctx.env.HOME || ctx.env.USERPROFILE || undefined,
    openedFolders: ctx.store.index.openedFolders(),
    dataDir: ctx.store.dataDir
  })
  const { skills, capped } = await installedSkills(places)
  if (capped) ctx.log?.warn({ skillId: o.skillId }, 'rivals: too many installed skills; the rest were not read')

  const same = (s: InstalledSkill) => s.name === o.name || s.folder === o.name
  // a same-name skill with this very description triggers as this one does (an export of it): no rival
  const shadows = skills
    .filter((s) => same(s) && s.description !== o.description.trim())
    .map((s) => rival('same-name', s, sameNameMessage(s)))

  const prompts = o.queries.filter((q) => q.should).map((q) => q.prompt)
  const competes: Rival[] = []
  if (prompts.length) {
    const listed = new Set<string>()
    for (const s of skills) {
      if (same(s) || !s.description) continue
      const key = `${s.place.kind}\0${s.name}\0${s.description}`
      if (listed.has(key)) continue
      listed.add(key)
      const n = competingCount(o, s, prompts)
      if (n > 0 && n / prompts.length >= COMPETES_AT) competes.push(rival('competes', s, competesMessage(s, n, prompts.length), n))
    }
    competes.sort((x, y) => (y.queries ?? 0) - (x.queries ?? 0) || x.name.localeCompare(y.name))
  }
  return [...shadows, ...competes]
}
