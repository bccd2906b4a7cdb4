/**
 * The skills installed where Claude Code would list them beside this one: the user's skills folder,
 * the projects' `.claude/skills`, and the `.claude/skills` of the folders above the app's data folder
 * (Claude Code lists the skills of every folder from a run's folder up to the git root, or the home
 * folder: those reach the app's own runs). Each `<folder>/SKILL.md` is read with the app's own reader
 * (front matter name and description). Read only: no symbolic link is followed out of the folder it is
 * in, an unreadable file is skipped, and the number of skill folders read is capped. Electron-free.
 */
import { constants } from 'node:fs'
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { parseSkillMd } from '../../shared/skill-md-read'
import { isInside } from '../base/paths'

/** Where a skills folder is, and what it means for this skill. */
export type PlaceKind = 'user' | 'default-user' | 'project' | 'above-data'

export interface Place {
  kind: PlaceKind
  /** the folder nothing read may leave (the config folder, the project folder, the folder above the data folder) */
  base: string
  /** the skills folder: `<base>/skills` or `<base>/.claude/skills` */
  skills: string
}

export interface InstalledSkill {
  /** the front matter's name, else the folder's */
  name: string
  /** the skill's folder name */
  folder: string
  description: string
  /** its SKILL.md */
  path: string
  place: Place
}

/** The most skill folders read in all (a folder of thousands is not read to the end). */
export const MAX_SKILL_FOLDERS = 400
/** The most of a SKILL.md read: its front matter is at the top (a description is at most 1024 characters). */
const READ_BYTES = 16 * 1024
/** The most folders above the data folder looked in. */
const MAX_ABOVE = 30
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0

const real = (p: string) => realpath(p).catch(() => null)

/** The places to look, in the order Claude Code prefers a name: the user's, then the projects', then above the data folder. */
export async function placesOf(o: {
  configDir: string
  home?: string
  openedFolders: readonly string[]
  dataDir: string
}): Promise<Place[]> {
  const places: Place[] = [{ kind: 'user', base: o.configDir, skills: join(o.configDir, 'skills') }]
  // Claude Code's default config folder, when the one in use is elsewhere (the user's own `claude` may use it)
  if (o.home) {
    const dflt = join(o.home, '.claude')
    const [a, b] = await Promise.all([real(dflt), real(o.configDir)])
    if (a && a !== b && resolve(dflt) !== resolve(o.configDir))
      places.push({ kind: 'default-user', base: dflt, skills: join(dflt, 'skills') })
  }
  for (const f of o.openedFolders) places.push({ kind: 'project', base: f, skills: join(f, '.claude', 'skills') })
  places.push(...(await aboveData(o.dataDir, o.home)))
  return places
}

/** The folders above the data folder Claude Code reads skills from in a run under it: up to a git root, short of the home folder. */
async function aboveData(dataDir: string, home?: string): Promise<Place[]> {
  const out: Place[] = []
  const stop = home ? resolve(home) : null
  for (let dir = resolve(dataDir), n = 0; n < MAX_ABOVE; n++) {
    if (stop && dir === stop) break
    out.push({ kind: 'above-data', base: dir, skills: join(dir, '.claude', 'skills') })
    if (await stat(join(dir, '.git')).catch(() => null)) break
    const up = dirname(dir)
    if (up === dir) break
    dir = up
  }
  return out
}

/** The first READ_BYTES of a file, never through a link (null: unreadable). */
async function readHead(file: string): Promise<string | null> {
  const fh = await open(file, constants.O_RDONLY | O_NOFOLLOW).catch(() => null)
  if (!fh) return null
  try {
    const buf = Buffer.alloc(READ_BYTES)
    const { bytesRead } = await fh.read(buf, 0, READ_BYTES, 0)
    return buf.subarray(0, bytesRead).toString('utf8')
  } catch {
    return null
  } finally {
    await fh.close().catch(() => {})
  }
}

/** A path's real path when it stays inside `root` (a real path), else null. */
async function inside(p: string, root: string): Promise<string | null> {
  const r = await real(p)
  return r && isInside(r, root) ? r : null
}

/** The skills of one place (at most `budget.left` folders read). */
async function skillsAt(place: Place, budget: { left: number }, seen: Set<string>): Promise<InstalledSkill[]> {
  const root = await real(place.base)
  if (!root) return []
  const dir = await inside(place.skills, root)
  if (!dir) return []
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  entries.sort((a, b) => a.name.localeCompare(b.name))
  const out: InstalledSkill[] = []
  for (const e of entries) {
    if (budget.left <= 0) break
    if (e.name.startsWith('.') || !(e.isDirectory() || e.isSymbolicLink())) continue
    // a skill folder that is a link is followed only when it stays inside the skills folder
    const folder = e.isDirectory() ? join(dir, e.name) : await inside(join(dir, e.name), dir)
    if (!folder) continue
    budget.left--
    const file = join(folder, 'SKILL.md')
    const st = await lstat(file).catch(() => null)
    if (!st?.isFile()) continue
    const key = await real(file)
    if (!key || seen.has(key)) continue
    seen.add(key)
    const text = await readHead(file)
    if (text === null) continue
    const fm = parseSkillMd(text).frontMatter
    out.push({ name: (fm.name ?? '').trim() || e.name, folder: e.name, description: (fm.description ?? '').trim(), path: file, place })
  }
  return out
}

/** Every skill installed in these places (each SKILL.md once, the first place that holds it). */
export async function installedSkills(places: Place[], max = MAX_SKILL_FOLDERS): Promise<{ skills: InstalledSkill[]; capped: boolean }> {
  const budget = { left: max }
  const seen = new Set<string>()
  const skills: InstalledSkill[] = []
  for (const p of places) {
    if (budget.left <= 0) return { skills, capped: true }
    skills.push(...(await skillsAt(p, budget, seen)))
  }
  return { skills, capped: budget.left <= 0 }
}
