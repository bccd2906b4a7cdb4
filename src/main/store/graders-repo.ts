/** graders/<id>.json: one measurement of a grader's agreement with the person on a batch (its progress, then its report). */
import type { GraderCheck } from '../../shared/grading'
import { Collection } from './collection'
import { DOC_SCHEMA } from './document'
import type { GraderDoc, GraderHead } from './schema'

export class GradersRepo extends Collection<GraderDoc, GraderHead> {
  /** The measurements on a batch, newest first. */
  ofBatch(batchId: string): string[] {
    return Object.entries(this.heads.all())
      .filter(([, h]) => h.batchId === batchId)
      .sort(([, a], [, b]) => b.createdAt.localeCompare(a.createdAt))
      .map(([id]) => id)
  }
  /** Every measurement, newest first. */
  newest(): string[] {
    return Object.entries(this.heads.all())
      .sort(([, a], [, b]) => b.createdAt.localeCompare(a.createdAt))
      .map(([id]) => id)
  }
  /** Those left running (by a process that stopped). */
  running(): string[] {
    return Object.entries(this.heads.all())
      .filter(([, h]) => h.state === 'running')
      .map(([id]) => id)
  }
  async get(id: string): Promise<GraderCheck | undefined> {
    return (await this.load(id))?.data.check
  }
  /** Save it as it now is (a new one is created). */
  async put(c: GraderCheck): Promise<void> {
    if (!this.has(c.id) && !this.peek(c.id)) await this.create(c.id, { schema: DOC_SCHEMA, check: c })
    else await this.update(c.id, (d) => void (d.check = c))
  }
  /** Progress: in memory at once, written within a second. */
  progress(c: GraderCheck): void {
    this.patch(c.id, (d) => void (d.check = c))
  }
}
