/** analyses/<id>.json: an analysis, its analysts, their rules and the merge. */
import type { Analysis } from '../../shared/analysis'
import { Collection } from './collection'
import { DOC_SCHEMA } from './document'
import type { AnalysisDoc, AnalysisHead } from './schema'

export class AnalysesRepo extends Collection<AnalysisDoc, AnalysisHead> {
  ofBatch(batchId?: string): string[] {
    return Object.entries(this.heads.all())
      .filter(([, h]) => !batchId || h.batchId === batchId)
      .map(([id]) => id)
  }
  async get(id: string): Promise<Analysis | undefined> {
    return (await this.load(id))?.data.analysis
  }
  /** Save the analysis as it now is (a new one is created). */
  async put(a: Analysis): Promise<void> {
    if (!this.has(a.id) && !this.peek(a.id)) await this.create(a.id, { schema: DOC_SCHEMA, analysis: a })
    else await this.update(a.id, (d) => void (d.analysis = a))
  }
  /** Progress of a running analysis: in memory at once, written within a second. */
  progress(a: Analysis): void {
    this.patch(a.id, (d) => void (d.analysis = a))
  }
}
