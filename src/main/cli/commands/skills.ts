/**
 * Skills: `skills` (every skill), `skill` (its SKILL.md), `export` (into a project folder's .claude/) and
 * `promote` (a version, such as a candidate, becomes the skill).
 */
import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { SkillView } from '../../../shared/contract'
import { describeFlagged, flaggedRefusal, skillFlags } from '../../../shared/rule-flags'
import { scriptsNotIncluded } from '../../../shared/skill-scripts'
import type { Skill } from '../../../shared/skills'
import type { ExportPlan, ExportResult } from '../../skills/export'
import { call, findSkill, MAKE_SKILL, UsageError } from '../common'
import { verb } from '../context'
import { inline } from '../inert'
import { versionByNumber } from '../verification'

const skills = verb({
  name: 'skills',
  args: { n: 0, what: '' },
  options: ['json'],
  readOnly: true,
  async run({ client, io, print }) {
    const list = await Promise.all(
      (await call<Skill[]>(client, 'listSkills', {})).map(async (s) => {
        const view = await call<SkillView>(client, 'getSkill', { skillId: s.id })
        const count = (t: string) => s.rules.filter((r) => r.tier === t).length
        return {
          id: s.id,
          name: s.frontMatter.name,
          description: s.frontMatter.description,
          title: s.title,
          batches: s.batchIds,
          rules: { core: count('core'), guidance: count('guidance'), edgeCase: count('edge-case'), discarded: count('discarded') },
          valid: !view.problems.length,
          problems: view.problems,
          versions: view.versions.length,
          updatedAt: s.updatedAt
        }
      })
    )
    if (!list.length) io.err(`no skills yet: ${MAKE_SKILL}`)
    print(list, () =>
      list
        .map((s) =>
          [
            s.id,
            inline(s.name),
            `${s.rules.core} core, ${s.rules.guidance} guidance, ${s.rules.edgeCase} edge-case rules`,
            s.valid ? 'valid' : `not valid: ${inline(s.problems.join('; '))}`,
            s.updatedAt.slice(0, 16).replace('T', ' ')
          ].join('\t')
        )
        .join('\n')
    )
  }
})

const skill = verb({
  name: 'skill',
  args: { n: 1, what: 'a skill (its id or name)' },
  options: ['json'],
  readOnly: true,
  async run({ client, print }, [skillArg]) {
    const view = await call<SkillView>(client, 'getSkill', { skillId: (await findSkill(client, skillArg)).id })
    print(view, () => view.skillMd.replace(/\n$/, ''))
  }
})

const exportVerb = verb({
  name: 'export',
  args: { n: 2, what: 'a skill (its id or name) and a folder' },
  options: ['dryRun', 'acceptFlagged', 'json'],
  readOnly: false,
  async run({ client, io, print }, [skillArg, folderArg], o) {
    const skill = await findSkill(client, skillArg)
    const { problems } = await call<SkillView>(client, 'getSkill', { skillId: skill.id })
    if (problems.length)
      throw new Error(`the skill is not valid yet: ${problems.join('; ')}: fix its name and description in the app's composer (Skills)`)
    const folder = resolve(folderArg)
    const st = await stat(folder).catch(() => null)
    // any reason it cannot be looked at is said as not being there
    if (!st) throw new Error(`export folder does not exist: ${folder}`)
    if (!st.isDirectory()) throw new Error(`not a folder: ${folder}`)
    // texts an agent would obey that hold a command, a URL or text copied from a run: named, and refused unless accepted
    const flagged = skillFlags(skill)
    if (flagged.length) for (const line of describeFlagged(flagged)) io.err(`flagged: ${line}`)
    // a script a run wrote is exported only once the person read and included it
    const waiting = scriptsNotIncluded(skill.rules)
    if (waiting) io.err(`note: ${inline(waiting)}`)
    if (o.dryRun) {
      const plan = await call<ExportPlan>(client, 'planSkillExport', { skillId: skill.id, folder })
      print(plan, () =>
        [...plan.files.map((f) => `${f.status}\t${inline(f.path)}`), `dry run: nothing written to ${inline(plan.folder)}`].join('\n')
      )
    } else {
      if (flagged.length && !o.acceptFlagged) {
        io.err(
          `trace2skill: ${flaggedRefusal(flagged, 'export with --accept-flagged').split(': read ')[0]}: read the lines above, then export with --accept-flagged; nothing was written`
        )
        return 1
      }
      const done = await call<ExportResult>(client, 'exportSkill', {
        skillId: skill.id,
        folder,
        acceptFlagged: o.acceptFlagged
      })
      print(done, () =>
        [
          ...done.written.map((p) => `written\t${inline(p)}`),
          ...done.unchanged.map((p) => `unchanged\t${inline(p)}`),
          ...done.backups.map((b) => `backup\t${inline(b.path)} -> ${inline(b.backup)}`),
          `exported ${inline(skill.frontMatter.name)} to ${inline(done.folder)}`
        ].join('\n')
      )
    }
  }
})

// Candidates: the person promotes one version of the skill (a candidate) to be the skill.
const promote = verb<number>({
  name: 'promote',
  args: { n: 1, what: 'a skill (its id or name) and --version N' },
  options: ['json'],
  readOnly: false,
  prepare(_args, o) {
    const n = o.skillVersion
    if (n === undefined)
      throw new UsageError('promote needs --version N: the version to promote (`trace2skill skill <skill> --json` lists its versions)')
    if (!/^[1-9]\d{0,5}$/.test(n))
      throw new UsageError(
        `--version takes a version number of the skill (1, 2, ...: \`trace2skill skill <skill> --json\` lists its versions), not ${n}`
      )
    return Number(n)
  },
  async run({ client, print }, [skillArg], _o, n) {
    const skill = await findSkill(client, skillArg)
    const name = skill.frontMatter.name || skill.id
    const version = versionByNumber(skill, await call<SkillView>(client, 'getSkill', { skillId: skill.id }), n, '--version')
    const view = await call<SkillView>(client, 'promoteSkillVersion', { versionId: version.id })
    const current = view.unchangedSince ?? Math.max(...view.versions.map((v) => v.number))
    const result = {
      skillId: skill.id,
      name: skill.frontMatter.name,
      promoted: n,
      ...(version.label ? { label: version.label } : {}),
      // the version the skill now is: the new one, or the one it already was
      version: current,
      saved: view.unchangedSince === undefined
    }
    print(result, () =>
      result.saved
        ? `promoted version ${n} of ${inline(name)}${version.label ? ` (${inline(version.label)})` : ''}: it is the skill now, as version ${current}; next: \`trace2skill export ${inline(name)} <folder>\``
        : `version ${n} of ${inline(name)} is already the skill (as version ${current}): nothing saved`
    )
  }
})

export const skillVerbs = [skills, skill, exportVerb, promote]
