/** pregrades/<batchId>.json: the grader's grades of a batch's runs, kept apart from the person's until confirmed. */
import type { Pregrade } from '../../shared/grading'
import { Collection } from './collection'
import { DOC_SCHEMA } from './document'
import type { PregradeDoc, PregradeHead } from './schema'

export class PregradesRepo extends Collection<PregradeDoc, PregradeHead> {
  async get(batchId: string): Promise<Pregrade | undefined> {
    return (await this.load(batchId))?.data.pregrade
  }
  /** Those left running (by a process that stopped). */
  running(): string[] {
    return Object.entries(this.heads.all())
      .filter(([, h]) => h.state === 'running')
      .map(([id]) => id)
  }
  async put(p: Pregrade): Promise<void> {
    if (!this.has(p.batchId) && !this.peek(p.batchId)) await this.create(p.batchId, { schema: DOC_SCHEMA, pregrade: p })
    else await this.update(p.batchId, (d) => void (d.pregrade = p))
  }
}
