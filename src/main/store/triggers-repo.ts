/** triggers/<skillId>.json: a skill's trigger queries, its measurements and its description optimisations. */
import type { Optimisation, TriggerMeasure, TriggerQuery } from '../../shared/triggers'
import { Collection } from './collection'
import { DOC_SCHEMA } from './document'
import type { TriggerSet, TriggersDoc, TriggersHead } from './schema'

const now = () => new Date().toISOString()

export class TriggersRepo extends Collection<TriggersDoc, TriggersHead> {
  /** A skill's triggers document (null: none saved yet). */
  async get(skillId: string): Promise<TriggersDoc | null> {
    return (await this.load(skillId))?.data ?? null
  }
  /** Skills with a measurement or optimisation left running (by a process that stopped). */
  running(): string[] {
    return Object.entries(this.heads.all())
      .filter(([, h]) => h.running)
      .map(([id]) => id)
  }
  private async change(skillId: string, fn: (d: TriggersDoc) => void): Promise<void> {
    if (!this.has(skillId) && !this.peek(skillId))
      await this.create(skillId, { schema: DOC_SCHEMA, set: { skillId, queries: [], updatedAt: now() }, measures: {}, optimisations: {} })
    await this.update(skillId, (d) => {
      fn(d)
      d.set.updatedAt = now()
    })
  }
  /** Replace the query set (`reviewed`: the person saved it). */
  async putQueries(skillId: string, queries: TriggerQuery[], reviewed = false): Promise<TriggerSet> {
    await this.change(skillId, (d) => {
      d.set.queries = queries
      if (reviewed) d.set.reviewedAt = now()
    })
    return (await this.get(skillId))!.set
  }
  /** Save a measurement as it now is. */
  async putMeasure(m: TriggerMeasure): Promise<void> {
    await this.change(m.skillId, (d) => void (d.measures[m.id] = m))
  }
  /** Save an optimisation as it now is. */
  async putOptimisation(o: Optimisation): Promise<void> {
    await this.change(o.skillId, (d) => void (d.optimisations[o.id] = o))
  }
}
