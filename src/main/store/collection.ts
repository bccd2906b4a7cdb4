/**
 * A collection of documents of one kind (batches, analyses, skills, operations), one file each, named by
 * the aggregate's id. Documents are read when first needed and kept in memory; the index keeps a small
 * head of each (kept in step with the document), so listing never reads them all.
 */
import { fail } from '../../shared/contract'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Notice } from '../../shared/contract'
import { JsonDocument, readDocument, type DocSpec, type WriteFn } from './document'

/** An id that may become a file name: letters, digits, '-' and '_' (uuids), never a path. */
export const isDocId = (id: unknown): id is string => typeof id === 'string' && /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/.test(id)

export interface StoreContext {
  readonly readOnly: boolean
  readonly writeFile: WriteFn
  canWrite(): Error | null
  onWriteError(err: Error): void
  /** a notice found after start-up (a document that could not be read when it was first needed) */
  notify(n: Notice): void
}

export interface HeadStore<H> {
  all(): Record<string, H>
  /** set (or, with null, remove) a head; written with the index */
  set(id: string, head: H | null, coalesce?: boolean): Promise<void>
}

export class Collection<D extends object, H> {
  private readonly docs = new Map<string, JsonDocument<D>>()
  private readonly loading = new Map<string, Promise<JsonDocument<D> | undefined>>()

  constructor(
    readonly dir: string,
    private readonly what: (id: string) => string,
    private readonly spec: DocSpec,
    private readonly empty: () => D,
    private readonly headOf: (d: D) => H,
    protected readonly heads: HeadStore<H>,
    protected readonly ctx: StoreContext
  ) {}

  fileOf(id: string): string {
    if (!isDocId(id)) throw fail(`not a valid id: ${JSON.stringify(String(id).slice(0, 80))}`, 'invalid')
    return join(this.dir, `${id}.json`)
  }

  ids(): string[] {
    return Object.keys(this.heads.all())
  }

  head(id: string): H | undefined {
    const all = this.heads.all()
    return Object.hasOwn(all, id) ? all[id] : undefined
  }

  has(id: string): boolean {
    return this.head(id) !== undefined
  }

  /** A document already in memory. */
  peek(id: string): JsonDocument<D> | undefined {
    return this.docs.get(id)
  }

  /** A document by id (read from disk the first time); undefined when there is none or it cannot be read. */
  async load(id: string): Promise<JsonDocument<D> | undefined> {
    const had = this.docs.get(id)
    if (had) return had
    if (!isDocId(id) || !this.has(id)) return undefined
    const pending = this.loading.get(id)
    if (pending) return pending
    const p = this.read(id).finally(() => this.loading.delete(id))
    this.loading.set(id, p)
    return p
  }

  private async read(id: string): Promise<JsonDocument<D> | undefined> {
    const file = this.fileOf(id)
    const got = await readDocument(
      file,
      this.spec,
      this.empty,
      this.what(id),
      this.ctx.readOnly,
      undefined,
      'only it is left out; everything else is intact'
    )
    got.notices.forEach((n) => this.ctx.notify(n))
    if (!got.data) {
      // gone or unreadable (moved aside): only this document is lost; its head goes too
      if (!got.notices.length)
        this.ctx.notify({ level: 'warning', message: `The ${this.what(id)} is missing from the store (${file}); it is left out.` })
      // a failed write of the index is reported through onWriteError; the document is left out either way
      if (!this.ctx.readOnly) await this.heads.set(id, null).catch(() => {})
      return undefined
    }
    const doc = this.adopt(id, got.data, true)
    // cleaned of bad records (set aside with a notice): a failed write is reported through onWriteError, and the
    // clean document goes with its next change
    if (got.dirty) await doc.save().catch(() => {})
    return doc
  }

  /** Every document (reads the ones not yet in memory). */
  async all(): Promise<JsonDocument<D>[]> {
    const out = await Promise.all(this.ids().map((id) => this.load(id)))
    return out.filter((d): d is JsonDocument<D> => !!d)
  }

  private adopt(id: string, data: D, exists: boolean): JsonDocument<D> {
    const doc = new JsonDocument<D>(this.fileOf(id), data, {
      readOnly: this.ctx.readOnly,
      writeFile: this.ctx.writeFile,
      canWrite: () => this.ctx.canWrite(),
      onWriteError: (e) => this.ctx.onWriteError(e),
      exists
    })
    this.docs.set(id, doc)
    return doc
  }

  /** A document known only in memory (a read-only view of a store not yet migrated). */
  preload(id: string, data: D): void {
    this.adopt(id, data, false)
  }

  /** A new document: its file is written first, then its head (so a crash never leaves a head without a file). */
  async create(id: string, data: D): Promise<JsonDocument<D>> {
    this.fileOf(id)
    if (this.docs.has(id) || this.has(id)) throw fail(`already exists: ${id}`, 'invalid')
    const doc = this.adopt(id, data, false)
    try {
      await doc.save()
      await this.heads.set(id, this.headOf(doc.data))
    } catch (err) {
      this.docs.delete(id)
      throw err
    }
    return doc
  }

  /** Change a document and write it (and its head, when that changed). */
  async update(id: string, fn: (d: D) => void): Promise<void> {
    const doc = await this.load(id)
    if (!doc) throw fail(`not found: ${this.what(id)}`, 'not-found')
    await doc.update(fn)
    await this.syncHead(id, doc)
  }

  /** A small change applied at once and written within `delayMs` (progress). The document must be in memory. */
  patch(id: string, fn: (d: D) => void, delayMs = 1000): void {
    const doc = this.docs.get(id)
    if (!doc) throw fail(`not loaded: ${this.what(id)}`, 'not-found')
    doc.patch(fn, delayMs)
    // the head is patched too (coalesced): its write's failure is reported through onWriteError
    void this.syncHead(id, doc, true).catch(() => {})
  }

  private async syncHead(id: string, doc: JsonDocument<D>, coalesce = false): Promise<void> {
    const head = this.headOf(doc.data)
    if (JSON.stringify(head) !== JSON.stringify(this.head(id))) await this.heads.set(id, head, coalesce)
  }

  async remove(id: string): Promise<void> {
    await this.heads.set(id, null)
    this.docs.delete(id)
    await rm(this.fileOf(id), { force: true })
  }

  /** Write every pending change now. */
  async flush(): Promise<void> {
    await Promise.all([...this.docs.values()].map((d) => d.flush()))
  }
}
