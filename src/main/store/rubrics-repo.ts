/** rubrics/<id>.json: a rubric (of a task, built from a graded batch) and every version of it. */
import type { Rubric, RubricVersion } from '../../shared/grading'
import { Collection } from './collection'
import { DOC_SCHEMA } from './document'
import type { RubricDoc, RubricHead } from './schema'

export class RubricsRepo extends Collection<RubricDoc, RubricHead> {
  /** The rubric of a task (a batch without a task: of that batch), newest first when there are several. */
  ofTask(taskId: string | undefined, batchId: string): string | undefined {
    return Object.entries(this.heads.all())
      .filter(([, h]) => (taskId ? h.taskId === taskId : !h.taskId && h.batchId === batchId))
      .sort(([, a], [, b]) => b.updatedAt.localeCompare(a.updatedAt))[0]?.[0]
  }
  async get(id: string): Promise<Rubric | undefined> {
    return (await this.load(id))?.data.rubric
  }
  async versions(id: string): Promise<RubricVersion[]> {
    const doc = await this.load(id)
    return doc ? Object.values(doc.data.versions).sort((a, b) => a.number - b.number) : []
  }
  async version(id: string, versionId: string): Promise<RubricVersion | undefined> {
    const doc = await this.load(id)
    return doc && Object.hasOwn(doc.data.versions, versionId) ? doc.data.versions[versionId] : undefined
  }
  /** Save the rubric and a new version of it in one write of its own document (a new rubric is created). */
  async putWithVersion(r: Rubric, v: RubricVersion): Promise<void> {
    if (!this.has(r.id) && !this.peek(r.id)) await this.create(r.id, { schema: DOC_SCHEMA, rubric: r, versions: { [v.id]: v } })
    else
      await this.update(r.id, (d) => {
        d.rubric = r
        d.versions[v.id] = v
      })
  }
}
