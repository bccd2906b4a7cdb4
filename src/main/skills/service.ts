/**
 * Skills: every saved state of a skill is a version (a new one only when something changed), versions
 * can be diffed and restored, a conflict the app decided can be reversed, and a skill is exported into a
 * project folder with the analysts as Claude Code agents. Electron-free.
 */
import { randomUUID } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { createTwoFilesPatch } from 'diff'
import { flaggedRefusal, skillFlags } from '../../shared/rule-flags'
import { renderEdgeCasesMd, renderReferenceFiles, renderSkillMd, validateFrontMatter } from '../../shared/skill-md'
import { EDGE_CASES_TOPIC, hasTopics, normalizeTopics, versionReferences } from '../../shared/skill-references'
import { exportedScripts } from '../../shared/skill-scripts'
import { ANALYSTS, type Skill, type SkillVersion } from '../../shared/skills'
import { agentMarkdown, sessionsLocation } from './definitions'
import { fail } from '../../shared/contract'
import type { Store } from '../store/store'
import { planExport, skillFiles, writeExport } from './export'
import { retier, reverseConflict } from './rules/tiers'

const now = () => new Date().toISOString()

/**
 * A skill's files as they read now (the person's own SKILL.md when they wrote one): SKILL.md, every
 * reference file, and references/edge-cases.md on its own (for a skill with topics, that file's text or "").
 */
export const rendered = (s: Skill) => {
  const references = renderReferenceFiles(s)
  const edgeCasesMd = hasTopics(s) ? (references.find((f) => f.name === EDGE_CASES_TOPIC)?.content ?? '') : renderEdgeCasesMd(s)
  return { skillMd: s.markdown ?? renderSkillMd(s), edgeCasesMd, references }
}

/** What the person may change (the composer's save); `markdown: null` goes back to the text rendered from the rules. */
export type SkillPatch = Partial<Pick<Skill, 'frontMatter' | 'title' | 'whenToUse' | 'rules' | 'conflicts' | 'topics'>> & {
  markdown?: string | null
}

export interface SkillServiceDeps {
  store: Store
  /** Claude Code's config folder in use: the exported analysts read sessions there */
  configDir?: string
}

export type SkillService = ReturnType<typeof createSkillService>

export function createSkillService({ store, configDir }: SkillServiceDeps) {
  const skillOf = async (id: string) =>
    (await store.skills.get(id)) ??
    (() => {
      throw fail(`no such skill: ${id}`, 'not-found')
    })()
  const versionList = (skillId: string) => store.skills.versions(skillId)
  /** The skill and a saved version of it (`versionId`, else the newest); refused when it has none or that one is not its. */
  const skillVersion = async (skillId: string, versionId?: string): Promise<{ skill: Skill; version: SkillVersion }> => {
    const skill = await skillOf(skillId)
    const versions = await versionList(skill.id)
    if (!versions.length) throw fail('this skill has no saved version yet: save it in the composer first', 'invalid')
    const version = versionId ? versions.find((v) => v.id === versionId) : versions[versions.length - 1]
    if (!version) throw fail(`version ${versionId} is not a version of this skill`, 'invalid')
    return { skill, version }
  }

  /** Save the skill as it now is and a new version of it (one write of its document). */
  const saveVersion = async (s: Skill, label?: string): Promise<SkillVersion> => {
    const list = await versionList(s.id)
    // strictly later than the last one, even when saved within the same millisecond (or the clock went back)
    const last = list.length ? Date.parse(list[list.length - 1].createdAt) : NaN
    const createdAt = Number.isFinite(last) && Date.now() <= last ? new Date(last + 1).toISOString() : now()
    const v: SkillVersion = {
      id: randomUUID(),
      skillId: s.id,
      number: list.length + 1,
      createdAt,
      label,
      ...rendered(s),
      ...(s.tiers ? { tiers: s.tiers } : {}),
      ...(exportedScripts(s.rules).length ? { scripts: exportedScripts(s.rules) } : {}),
      state: s
    }
    await store.skills.putWithVersion(s, v)
    return v
  }

  const versionsOf = async (skillId: string) =>
    (await versionList(skillId)).map(({ id, number, createdAt, label }) => ({ id, number, createdAt, label }))

  /** A skill as the composer sees it: its text, its versions, what is wrong with its front matter. */
  const viewOf = async (s: Skill) => ({
    skill: s,
    ...rendered(s),
    versions: await versionsOf(s.id),
    problems: validateFrontMatter(s.frontMatter, s.frontMatter.name)
  })

  /** What a version keeps of a skill that the person can change; equal content means nothing to save. */
  const content = (s: Skill) =>
    canonical({
      frontMatter: s.frontMatter,
      title: s.title,
      whenToUse: s.whenToUse,
      rules: s.rules,
      conflicts: s.conflicts,
      topics: s.topics,
      markdown: s.markdown ?? null
    })
  /** Save `next` as a new version, unless it is the skill as it stands: then nothing is written. */
  const commit = async (current: Skill | undefined, next: Skill, label?: string) => {
    if (current && content(current) === content(next)) {
      const last = (await versionList(current.id)).pop()
      return { ...(await viewOf(current)), ...(last ? { unchangedSince: last.number } : {}) }
    }
    await saveVersion(next, label)
    return viewOf(next)
  }

  const exportFilesOf = (s: Skill) => {
    const { skillMd, references } = rendered(s)
    const problems = validateFrontMatter(s.frontMatter, s.frontMatter.name)
    if (problems.length) throw fail(`the skill is not valid yet: ${problems.join('; ')}`, 'invalid')
    const sessions = configDir ? sessionsLocation(configDir, homedir()) : undefined
    return skillFiles({
      name: s.frontMatter.name,
      skillMd,
      references,
      agents: ANALYSTS.map((k) => ({ name: `${k}-analyst`, content: agentMarkdown(k, { sessions }) })),
      scripts: exportedScripts(s.rules)
    })
  }

  return {
    skillOf,
    skillVersion,
    get: (id: string) => store.skills.get(id),
    saveVersion,
    viewOf,
    async list() {
      return (await store.skills.all()).map((d) => d.data.skill).sort((x, y) => y.updatedAt.localeCompare(x.updatedAt))
    },
    /** Save the person's edits as a new version (rules re-tiered unless they pinned them). */
    async save(skillId: string, patch: SkillPatch, label?: string) {
      const s = await skillOf(skillId)
      const { markdown, topics, ...rest } = patch
      const next: Skill = {
        ...s,
        ...rest,
        // topic names are file names: made safe here, whatever the client sent
        ...(topics ? { topics: normalizeTopics(topics) } : {}),
        rules: patch.rules ? retier(patch.rules, patch.conflicts ?? s.conflicts, s.tiers) : s.rules,
        updatedAt: now()
      }
      if (markdown === null) delete next.markdown
      else if (markdown !== undefined) next.markdown = markdown
      return commit(s, next, label)
    },
    async reverseConflict(skillId: string, conflictId: string) {
      const s = await skillOf(skillId)
      if (!s.conflicts.some((c) => c.id === conflictId)) throw fail(`no such conflict: ${conflictId}`, 'not-found')
      const r = reverseConflict(s.rules, s.conflicts, conflictId, s.tiers)
      const next = { ...s, ...r, updatedAt: now() }
      await saveVersion(next, 'conflict reversed')
      return viewOf(next)
    },
    async version(versionId: string) {
      const v = await store.skills.version(versionId)
      if (!v) throw fail(`no such version: ${versionId}`, 'not-found')
      return v
    },
    async diff(a: string, b: string) {
      const va = await store.skills.version(a)
      const vb = await store.skills.version(b)
      if (!va || !vb) throw fail('no such version', 'not-found')
      const diff = (file: string, x: string, y: string) =>
        x === y
          ? `${file}: identical in version ${va.number} and version ${vb.number}\n`
          : createTwoFilesPatch(`version ${va.number}/${file}`, `version ${vb.number}/${file}`, x, y)
      // the scripts each exports, as one text (name by name)
      const scriptsOf = (v: SkillVersion) =>
        [...(v.scripts ?? [])]
          .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
          .map((x) => `# scripts/${x.name}\n${x.content}`)
          .join('\n')
      const [sa, sb] = [scriptsOf(va), scriptsOf(vb)]
      // every reference file of either version (one saved before topics has its edge-cases.md)
      const ra = new Map(versionReferences(va).map((f) => [f.name, f.content]))
      const rb = new Map(versionReferences(vb).map((f) => [f.name, f.content]))
      const names = [...new Set([...ra.keys(), ...rb.keys()])]
      const references = names.map((name) => ({
        name,
        diff: diff(`references/${name}.md`, ra.get(name) ?? '', rb.get(name) ?? '')
      }))
      return {
        skillMd: diff('SKILL.md', va.skillMd, vb.skillMd),
        edgeCasesMd: diff('references/edge-cases.md', va.edgeCasesMd, vb.edgeCasesMd),
        references,
        identical:
          va.skillMd === vb.skillMd && va.edgeCasesMd === vb.edgeCasesMd && names.every((n) => ra.get(n) === rb.get(n)) && sa === sb,
        ...(sa || sb ? { scripts: diff('scripts/', sa, sb) } : {})
      }
    },
    /** Go back to a version: its state becomes the current skill (as a new version; nothing is lost). */
    async restore(versionId: string) {
      const v = await store.skills.version(versionId)
      if (!v) throw fail(`no such version: ${versionId}`, 'not-found')
      const next = { ...(v.state as Skill), updatedAt: now() }
      return commit(await store.skills.get(v.skillId), next, `restored version ${v.number}`)
    },
    /**
     * Promote a version (a candidate): its state becomes the current skill, as a new version labelled
     * "promoted version N" (nothing is lost). The version that already is the skill: nothing is saved,
     * and the answer says which version it is as (`unchangedSince`).
     */
    async promote(versionId: string) {
      const v = await store.skills.version(versionId)
      if (!v) throw fail(`no such version: ${versionId}`, 'not-found')
      const next = { ...(v.state as Skill), updatedAt: now() }
      return commit(await skillOf(v.skillId), next, `promoted version ${v.number}`)
    },
    async planExport(skillId: string, folder: string) {
      if (!isAbsolute(folder)) throw fail('Give the folder as an absolute path.', 'invalid')
      const s = await skillOf(skillId)
      const plan = await planExport(folder, exportFilesOf(s))
      const flagged = skillFlags(s)
      return flagged.length ? { ...plan, flagged } : plan
    },
    /** Write the skill into a project; a skill with flagged texts only when the person confirmed them (`acceptFlagged`). */
    async export(skillId: string, folder: string, opts: { acceptFlagged?: boolean } = {}) {
      if (!isAbsolute(folder)) throw fail('Give the folder as an absolute path.', 'invalid')
      // not there or not readable: refused with a clear error just below
      const st = await stat(folder).catch(() => null)
      if (!st) throw fail(`export folder does not exist: ${folder}`, 'invalid')
      const s = await skillOf(skillId)
      const files = exportFilesOf(s)
      const flagged = skillFlags(s)
      if (flagged.length && !opts.acceptFlagged) throw fail(flaggedRefusal(flagged, 'confirm to export'), 'flagged')
      return writeExport(folder, files, { backupDir: join(store.dataDir, 'export-backups') })
    }
  }
}

/** JSON with keys sorted and undefined left out: equal for equal content whatever the key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>)
            .filter(([, y]) => y !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        )
      : x
  )
}
