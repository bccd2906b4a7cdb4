/** operations/<id>.json: a long piece of work, its kind, its parameters and how it ended. */
import type { Operation } from '../../shared/operations'
import { Collection } from './collection'
import { DOC_SCHEMA } from './document'
import type { OperationDoc, OperationHead } from './schema'

export class OperationsRepo extends Collection<OperationDoc, OperationHead> {
  /** Operations recorded as running (at start-up: the ones a stopped app left behind). */
  running(): string[] {
    return Object.entries(this.heads.all())
      .filter(([, h]) => h.state === 'running')
      .map(([id]) => id)
  }
  /** The operations on a subject (a batch, an analysis), newest first. */
  about(subject: string, kind?: Operation['kind']): string[] {
    return Object.entries(this.heads.all())
      .filter(([, h]) => h.subject === subject && (!kind || h.kind === kind))
      .sort(([, a], [, b]) => b.startedAt.localeCompare(a.startedAt))
      .map(([id]) => id)
  }
  async get(id: string): Promise<Operation | undefined> {
    return (await this.load(id))?.data.operation
  }
  async add(op: Operation): Promise<void> {
    await this.create(op.id, { schema: DOC_SCHEMA, operation: op })
  }
  async set(id: string, patch: Partial<Operation>): Promise<void> {
    await this.update(id, (d) => void Object.assign(d.operation, patch))
  }
  /** Keep the newest `keep` finished operations; older ones go (their subjects keep their own records). */
  async prune(keep = 500): Promise<void> {
    const finished = Object.entries(this.heads.all())
      .filter(([, h]) => h.state !== 'running')
      .sort(([, a], [, b]) => b.startedAt.localeCompare(a.startedAt))
    // the newest operation of each subject stays whatever its age (its parameters are reused by a retry)
    const newest = new Set<string>()
    const seen = new Set<string>()
    for (const [id, h] of finished) {
      if (!h.subject || seen.has(`${h.kind}:${h.subject}`)) continue
      seen.add(`${h.kind}:${h.subject}`)
      newest.add(id)
    }
    // one that cannot be removed now stays a little longer (a finished record, read by nobody): pruned at the next start
    for (const [id] of finished.slice(keep)) if (!newest.has(id)) await this.remove(id).catch(() => {})
  }
}
