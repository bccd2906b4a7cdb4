/** skills/<id>.json: a skill and every saved version of it. */
import type { Skill, SkillVersion } from '../../shared/skills'
import { Collection } from './collection'
import { DOC_SCHEMA } from './document'
import type { SkillDoc, SkillHead } from './schema'

export class SkillsRepo extends Collection<SkillDoc, SkillHead> {
  private versionOwner = new Map<string, string>()
  async get(id: string): Promise<Skill | undefined> {
    return (await this.load(id))?.data.skill
  }
  /** Save the skill as it now is (a new one is created). */
  async put(s: Skill): Promise<void> {
    if (!this.has(s.id) && !this.peek(s.id)) await this.create(s.id, { schema: DOC_SCHEMA, skill: s, versions: {} })
    else await this.update(s.id, (d) => void (d.skill = s))
  }
  /** Save the skill and a new version of it in one write. */
  async putWithVersion(s: Skill, v: SkillVersion): Promise<void> {
    if (!this.has(s.id) && !this.peek(s.id)) await this.create(s.id, { schema: DOC_SCHEMA, skill: s, versions: { [v.id]: v } })
    else
      await this.update(s.id, (d) => {
        d.skill = s
        d.versions[v.id] = v
      })
    this.versionOwner.set(v.id, s.id)
  }
  async versions(skillId: string): Promise<SkillVersion[]> {
    const doc = await this.load(skillId)
    return doc ? Object.values(doc.data.versions).sort((a, b) => a.number - b.number) : []
  }
  /** A version by its id alone (the skills are read until it is found; then remembered). */
  async version(versionId: string): Promise<SkillVersion | undefined> {
    const known = this.versionOwner.get(versionId)
    const candidates = known ? [known, ...this.ids()] : this.ids()
    for (const id of candidates) {
      const doc = await this.load(id)
      if (!doc) continue
      for (const v of Object.keys(doc.data.versions)) this.versionOwner.set(v, id)
      if (Object.hasOwn(doc.data.versions, versionId)) return doc.data.versions[versionId]
    }
    return undefined
  }
}
