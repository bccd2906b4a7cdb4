/** batches/<id>.json: a batch and its runs, with their feedback. */
import type { Batch, Run } from '../../shared/runs'
import { Collection } from './collection'
import { DOC_SCHEMA } from './document'
import type { BatchDoc, BatchHead } from './schema'

export class BatchesRepo extends Collection<BatchDoc, BatchHead> {
  /** Batch ids whose name is exactly `name`. */
  named(name: string): string[] {
    return Object.entries(this.heads.all())
      .filter(([, h]) => h.name === name)
      .map(([id]) => id)
  }
  /** The batch a run belongs to (from the heads: no document read). */
  batchIdOfRun(runId: string): string | undefined {
    for (const [id, h] of Object.entries(this.heads.all())) if (h.runs.some((r) => r.id === runId)) return id
    return undefined
  }
  async get(batchId: string): Promise<BatchDoc | undefined> {
    return (await this.load(batchId))?.data
  }
  /** A run and its batch's document. */
  async run(runId: string): Promise<{ batch: BatchDoc; run: Run } | undefined> {
    const batchId = this.batchIdOfRun(runId)
    const doc = batchId ? await this.get(batchId) : undefined
    const run = doc && Object.hasOwn(doc.runs, runId) ? doc.runs[runId] : undefined
    return doc && run ? { batch: doc, run } : undefined
  }
  /** A batch's runs in its order (runs that could not be read are left out). */
  runsOf(doc: BatchDoc): Run[] {
    return doc.batch.runIds.flatMap((id) => (Object.hasOwn(doc.runs, id) ? [doc.runs[id]] : []))
  }
  async add(batch: Batch, runs: Run[]): Promise<BatchDoc> {
    const doc = await this.create(batch.id, { schema: DOC_SCHEMA, batch, runs: Object.fromEntries(runs.map((r) => [r.id, r])) })
    return doc.data
  }
}
