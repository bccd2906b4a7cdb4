/**
 * One JSON document of the store (lowdb over one file): read record by record, written atomically and
 * durably, one write at a time, undone in memory when a write fails.
 *
 * - A write goes to a uniquely named temp file, is flushed to disk (fsync), then renamed over the
 *   document (write-file-atomic); the folder is synced the first time a document is created.
 * - A write that fails (disk full, read-only folder) is undone in memory, in place (objects others hold
 *   keep their identity), and reported in one line (code 'store-write-failed').
 * - Frequent small changes (progress while a run streams) can be coalesced: applied in memory at once,
 *   written at most once per interval, or at once by the next ordinary change.
 * - A document that cannot be read is moved aside (never deleted) with a notice; one bad record in it is
 *   set aside in a side file with a notice, and the rest loads.
 */
import { fail } from '../../shared/contract'
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Low, type Adapter } from 'lowdb'
import writeFileAtomic from 'write-file-atomic'
import type { z } from 'zod'
import type { Notice } from '../../shared/contract'

export type WriteFn = (file: string, text: string) => Promise<void>

export const stamp = () => new Date().toISOString().replace(/[:.]/g, '-')
export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

export interface SetAside {
  where: string
  reason: string
  value: unknown
}

/**
 * The shape of a document: fields that must be valid for the document to be read at all (`one`),
 * collections of records where one bad record is set aside (`many`), lists of items (`list`), and
 * optional fields set aside as a whole when bad (`opt`). Every document has `schema: 2`.
 */
export interface DocSpec {
  one?: Record<string, z.ZodType>
  many?: Record<string, z.ZodType>
  list?: Record<string, z.ZodType>
  opt?: Record<string, z.ZodType>
}

export const DOC_SCHEMA = 2

const why = (e: z.ZodError) => {
  const i = e.issues[0]
  return `${i?.path.join('.') || 'value'}: ${i?.message ?? 'invalid'}`
}

/** Keep every valid record of `raw`, set aside the ones that are not; fatal when the document as a whole is not one. */
export function salvage<T>(
  raw: unknown,
  spec: DocSpec,
  empty: () => T,
  schema = DOC_SCHEMA
): { data: T; setAside: SetAside[] } | { fatal: string } {
  if (!isPlainObject(raw)) return { fatal: 'not a JSON object' }
  if (raw.schema !== schema) return { fatal: `unexpected content at schema (${JSON.stringify(raw.schema)?.slice(0, 40)})` }
  const data = empty() as Record<string, unknown>
  const setAside: SetAside[] = []
  for (const [name, s] of Object.entries(spec.one ?? {})) {
    const parsed = s.safeParse(raw[name])
    if (!parsed.success) return { fatal: `${name}: ${why(parsed.error)}` }
    data[name] = parsed.data
  }
  for (const [name, s] of Object.entries(spec.many ?? {})) {
    const coll = raw[name]
    if (coll === undefined) continue
    if (!isPlainObject(coll)) {
      setAside.push({ where: name, reason: 'not an object of records', value: coll })
      continue
    }
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(coll)) {
      if (UNSAFE_KEYS.has(key)) {
        setAside.push({ where: `${name}.${key}`, reason: 'a key that is not a record id', value })
        continue
      }
      const parsed = s.safeParse(value)
      if (parsed.success) out[key] = parsed.data
      else setAside.push({ where: `${name}.${key}`, reason: why(parsed.error), value })
    }
    data[name] = out
  }
  for (const [name, s] of Object.entries(spec.list ?? {})) {
    const list = raw[name]
    if (list === undefined) continue
    if (!Array.isArray(list)) {
      setAside.push({ where: name, reason: 'not a list', value: list })
      continue
    }
    const out: unknown[] = []
    for (const item of list) {
      const parsed = s.safeParse(item)
      if (parsed.success) out.push(parsed.data)
      else setAside.push({ where: name, reason: why(parsed.error), value: item })
    }
    data[name] = out
  }
  for (const [name, s] of Object.entries(spec.opt ?? {})) {
    if (raw[name] === undefined) continue
    const parsed = s.safeParse(raw[name])
    if (parsed.success) data[name] = parsed.data
    else setAside.push({ where: name, reason: why(parsed.error), value: raw[name] })
  }
  return { data: data as T, setAside }
}

const WRITE_REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the folder is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EIO: 'an input/output error'
}

/** The one line a failed write is reported with. */
export function writeFailure(file: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code ?? ''
  return Object.assign(
    new Error(
      `Could not save to ${file}: ${WRITE_REASONS[code] ?? (err as Error).message.split('\n')[0]}${code ? ` (${code})` : ''}. The change was undone; what was saved before is intact.`
    ),
    { code: 'store-write-failed' }
  )
}

/** Put `target` back to `saved` in place: objects that survive keep their identity. */
export function restoreInPlace(target: Record<string, unknown>, saved: Record<string, unknown>): void {
  for (const key of Object.keys(target)) if (!(key in saved)) delete target[key]
  for (const [key, value] of Object.entries(saved)) {
    const current = target[key]
    if (isPlainObject(current) && isPlainObject(value)) restoreInPlace(current, value)
    else if (
      Array.isArray(current) &&
      Array.isArray(value) &&
      current.length === value.length &&
      value.every((v, i) => isPlainObject(v) && isPlainObject(current[i]))
    ) {
      value.forEach((v, i) => restoreInPlace(current[i] as Record<string, unknown>, v as Record<string, unknown>))
    } else target[key] = value
  }
}

/** What is at `file`: nothing, a regular file, or something else (a FIFO would hang a read). */
export async function kindOf(file: string): Promise<'none' | 'file' | string> {
  const st = await stat(file).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : e))
  if (st === null) return 'none'
  if (st instanceof Error) return st.code ?? st.message
  if (st.isFile()) return 'file'
  return st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device or other special file'
}

/** Move an unreadable file aside (never delete it) and describe how to restore it. */
export async function moveAside(file: string, reason: string, what: string, after = 'a new one was started'): Promise<Notice> {
  const aside = `${file}.corrupt-${stamp()}`
  await rename(file, aside)
  return {
    level: 'warning',
    message: `The ${what} could not be read (${reason}); it was moved aside and ${after}.`,
    detail: `Old file kept at ${aside}. To restore it, quit the app, repair that file and move it back to ${file}.`
  }
}

/** Keep records that could not be read in a side file (writers only), with a notice naming them. */
export async function reportSetAside(file: string, setAside: SetAside[], what: string, readOnly: boolean): Promise<Notice> {
  const n = setAside.length
  const list =
    setAside
      .slice(0, 3)
      .map((s) => `${s.where} (${s.reason})`)
      .join('; ') + (n > 3 ? `; and ${n - 3} more` : '')
  const notice: Notice = {
    level: 'warning',
    message: `${n} record${n === 1 ? '' : 's'} in the ${what} could not be read and ${n === 1 ? 'was' : 'were'} set aside: ${list}. Everything else was loaded.`
  }
  if (!readOnly) {
    const asideFile = `${file}.set-aside-${stamp()}.json`
    await writeFileAtomic(asideFile, JSON.stringify({ from: file, at: new Date().toISOString(), records: setAside }, null, 2))
    notice.detail = `The records are kept in ${asideFile}.`
  }
  return notice
}

/** Sync a folder so a file just created in it survives a crash (best effort: not every platform can). */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => null)
  if (!fh) return
  await fh.sync().catch(() => {})
  await fh.close().catch(() => {})
}

/** Atomic and durable: a unique temp file, fsync, rename (write-file-atomic). */
export const atomicWrite: WriteFn = (file, text) => writeFileAtomic(file, text, { fsync: true })

/** The result of reading a document: its data, whether it must be written back, and what was wrong. */
export interface ReadResult<T> {
  data: T | null
  /** records were set aside or the file was moved aside: write the clean document back */
  dirty: boolean
  notices: Notice[]
}

/**
 * Read a document record by record. Absent: data null. Unreadable: moved aside with a notice (left alone
 * when read-only), data null. Bad records: set aside with a notice.
 */
export async function readDocument<T>(
  file: string,
  spec: DocSpec,
  empty: () => T,
  what: string,
  readOnly: boolean,
  schema = DOC_SCHEMA,
  after?: string
): Promise<ReadResult<T>> {
  const kind = await kindOf(file)
  if (kind === 'none') return { data: null, dirty: false, notices: [] }
  let reason: string | null = null
  let got: { data: T; setAside: SetAside[] } | null = null
  if (kind !== 'file') reason = kind.startsWith('a ') ? `it is not a regular file but ${kind}` : kind
  else {
    try {
      const text = await readFile(file, 'utf8')
      const res = salvage(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text), spec, empty, schema)
      if ('fatal' in res) reason = res.fatal
      else got = res
    } catch (err) {
      reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message.split('\n')[0]
    }
  }
  if (reason || !got) {
    if (readOnly)
      return {
        data: null,
        dirty: false,
        notices: [
          {
            level: 'warning',
            message: `The ${what} could not be read (${reason}); shown as empty.`,
            detail: `File: ${file}. Nothing was changed.`
          }
        ]
      }
    return { data: null, dirty: true, notices: [await moveAside(file, reason ?? 'unreadable', what, after)] }
  }
  if (!got.setAside.length) return { data: got.data, dirty: false, notices: [] }
  return { data: got.data, dirty: !readOnly, notices: [await reportSetAside(file, got.setAside, what, readOnly)] }
}

/** lowdb's adapter: reads are done by readDocument (record by record); writes are atomic and durable. */
class AtomicJsonFile<T> implements Adapter<T> {
  /** the text of the last write */
  text = ''
  constructor(
    private readonly file: string,
    private readonly write_: WriteFn
  ) {}
  async read(): Promise<T | null> {
    return null
  }
  async write(data: T): Promise<void> {
    const text = JSON.stringify(data, null, 1)
    await this.write_(this.file, text)
    this.text = text
  }
}

export interface DocumentOptions {
  readOnly: boolean
  writeFile: WriteFn
  /** may this process still write (false once another took over the data folder) */
  canWrite(): Error | null
  /** a write nobody awaited failed (coalesced progress): reported as a notice */
  onWriteError(err: Error): void
  /** written at least once (the file exists) */
  exists: boolean
}

/**
 * One document in memory and on disk. `data` is read freely; every change goes through `update`
 * (serialised, written, undone on failure) or `patch` (coalesced).
 */
export class JsonDocument<T extends object> {
  readonly db: Low<T>
  private readonly adapter: AtomicJsonFile<T>
  /** the text of the last successful write (what is on disk), to undo a failed one */
  private saved: string
  private queue: Promise<void> = Promise.resolve()
  private timer: NodeJS.Timeout | null = null
  private exists: boolean
  /** bytes written by the last write (tests, benchmark) */
  lastWriteBytes = 0
  /** number of writes (tests) */
  writes = 0

  constructor(
    readonly file: string,
    data: T,
    private readonly o: DocumentOptions
  ) {
    this.adapter = new AtomicJsonFile<T>(file, o.writeFile)
    this.db = new Low<T>(this.adapter, data)
    this.db.data = data
    this.saved = JSON.stringify(data)
    this.exists = o.exists
  }

  get data(): T {
    return this.db.data
  }

  get readOnly(): boolean {
    return this.o.readOnly
  }

  private undo(): void {
    restoreInPlace(this.db.data as Record<string, unknown>, JSON.parse(this.saved))
  }

  private async writeNow(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const refused = this.o.canWrite()
    if (refused) throw refused
    try {
      if (!this.exists) await mkdir(dirname(this.file), { recursive: true })
      await this.db.write()
      this.lastWriteBytes = this.adapter.text.length
      this.writes++
      this.saved = this.adapter.text
      if (!this.exists) {
        this.exists = true
        await syncDir(dirname(this.file))
      }
    } catch (err) {
      this.undo()
      const e = writeFailure(this.file, err)
      this.o.onWriteError(e)
      throw e
    }
  }

  /** Apply a change and write it; a failed write (or a throwing change) undoes it in memory and rejects. */
  update(fn: (data: T) => void): Promise<void> {
    const next = this.queue.then(async () => {
      if (this.o.readOnly) throw fail(`read-only: this command does not change the store (${this.file})`, 'read-only')
      const refused = this.o.canWrite()
      if (refused) throw refused
      try {
        fn(this.db.data)
      } catch (err) {
        this.undo()
        throw err
      }
      await this.writeNow()
    })
    // the caller gets the failure (next); the queue goes on to the next change
    this.queue = next.catch(() => {})
    return next
  }

  /**
   * Apply a small change at once (in memory) and write it within `delayMs`, together with whatever else
   * changed meanwhile. Read-only: memory only. A failed write is reported through onWriteError.
   */
  patch(fn: (data: T) => void, delayMs = 1000): void {
    fn(this.db.data)
    if (this.o.readOnly || this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      // nobody awaits it: writeNow reports a failed write through onWriteError (a write refused after a
      // takeover, through the takeover's notice)
      this.queue = this.queue.then(() => this.writeNow()).catch(() => {})
    }, delayMs)
  }

  /** Write what is pending now (a coalesced patch), and wait for every write in flight. */
  async flush(): Promise<void> {
    if (this.timer && !this.o.readOnly) {
      clearTimeout(this.timer)
      this.timer = null
      // as patch's: a failed write is reported through onWriteError
      this.queue = this.queue.then(() => this.writeNow()).catch(() => {})
    }
    await this.queue
  }

  /** Write the document as it is (a new document, or one cleaned of bad records). */
  save(): Promise<void> {
    return this.update(() => {})
  }
}
