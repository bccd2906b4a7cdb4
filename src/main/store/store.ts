/**
 * The offline store: lowdb (one JSON file) in the app's data dir, metadata only. Large payloads
 * (archived sessions, the index cache) live in files beside it.
 *
 * Nothing is lost:
 * - One writer per data folder: a writer holds the folder's lock (./lock.ts) while it runs; a second
 *   writer is refused with a message naming the first. Read-only opens take no lock and write nothing.
 * - Every save goes to a uniquely named temp file, is flushed, then renamed over store.json.
 * - A save that fails (disk full, read-only folder) is undone in memory, in place (objects others hold
 *   keep their identity), and reported in one line; what was saved before stays on disk.
 * - A store that cannot be read at all is never overwritten: it is moved aside with a notice saying how
 *   to restore it. One bad record costs only that record: it is set aside in a file of its own.
 */
import { mkdir, readFile, rename, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Low, type Adapter } from 'lowdb'
import writeFileAtomic from 'write-file-atomic'
import { z } from 'zod'
import type { Notice } from '../../shared/contract'
import { BatchSchema, RunSchema, TaskSchema, VariationSchema } from '../../shared/runs'
import { AnalysisSchema } from '../../shared/analysis'
import { SkillSchema, SkillVersionSchema } from '../../shared/skills'
import { lockDataDir, type DataDirLock } from './lock'

export const STORE_FILE = 'store.json'

const PinSchema = z.object({ sessionId: z.string(), projectId: z.string(), pinnedAt: z.string() })
const ArchiveSchema = z.object({
  sessionId: z.string(),
  projectId: z.string(),
  /** where the original lived */
  originalFile: z.string(),
  cwd: z.string().optional(),
  /** gzip files inside the data dir, relative to it */
  file: z.string(),
  subagents: z.array(z.object({ name: z.string(), file: z.string() })),
  bytes: z.number(),
  /** size and mtime of the original when archived: a grown original is archived again */
  sourceSize: z.number(),
  sourceMtimeMs: z.number(),
  archivedAt: z.string()
})
export type ArchiveEntry = z.infer<typeof ArchiveSchema>

export const StoreDataSchema = z.object({
  schema: z.literal(1),
  pins: z.record(z.string(), PinSchema),
  archives: z.record(z.string(), ArchiveSchema),
  /** folders the user opened with "open any folder" */
  openedFolders: z.array(z.string()),
  tasks: z.record(z.string(), TaskSchema).default({}),
  /** per task, its variations in order */
  variations: z.record(z.string(), z.array(VariationSchema)).default({}),
  batches: z.record(z.string(), BatchSchema).default({}),
  runs: z.record(z.string(), RunSchema).default({}),
  settings: z.object({ baseUrl: z.string().optional() }).default({}),
  analyses: z.record(z.string(), AnalysisSchema).default({}),
  skills: z.record(z.string(), SkillSchema).default({}),
  /** every saved state of every skill (rendered text and the structured state) */
  skillVersions: z.record(z.string(), SkillVersionSchema).default({})
})
export type StoreData = z.infer<typeof StoreDataSchema>

const empty = (): StoreData => ({ schema: 1, pins: {}, archives: {}, openedFolders: [], tasks: {}, variations: {}, batches: {}, runs: {}, settings: {}, analyses: {}, skills: {}, skillVersions: {} })

/** Each collection of records and the shape of one record in it. */
const COLLECTIONS = {
  pins: PinSchema,
  archives: ArchiveSchema,
  tasks: TaskSchema,
  variations: z.array(VariationSchema),
  batches: BatchSchema,
  runs: RunSchema,
  analyses: AnalysisSchema,
  skills: SkillSchema,
  skillVersions: SkillVersionSchema
} as const
type Collection = keyof typeof COLLECTIONS

export interface Store {
  readonly dataDir: string
  readonly db: Low<StoreData>
  /** notices from start-up (a corrupt store moved aside...) */
  readonly notices: Notice[]
  /** opened without the lock: every change is refused, nothing is ever written */
  readonly readOnly: boolean
  /** apply a change and save it; a failed save undoes the change in memory and rejects (one line) */
  update(fn: (data: StoreData) => void): Promise<void>
  /** every failed save, also those nobody awaited (background progress): e.g. shown as a notice */
  onWriteError(listener: (err: Error) => void): () => void
  /** wait for pending saves and release the data folder */
  close(): Promise<void>
}

export interface OpenStoreOptions {
  /** take no lock and never write (commands that only read) */
  readOnly?: boolean
  /** who holds the lock, for the message a second writer gets ("the desktop app") */
  owner?: string
  /** tests: how a file is written (to inject a failing disk) */
  writeFile?: (file: string, text: string) => Promise<void>
}

/** Move an unreadable file aside (never delete it) and describe how to restore it. */
async function moveAside(file: string, reason: string, what: string): Promise<Notice> {
  const aside = `${file}.corrupt-${stamp()}`
  await rename(file, aside)
  return {
    level: 'warning',
    message: `The ${what} could not be read (${reason}); it was moved aside and a new one was started.`,
    detail: `Old file kept at ${aside}. To restore it, quit the app, repair that file and move it back to ${file}.`
  }
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-')
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

interface SetAside {
  where: string
  reason: string
  value: unknown
}

/**
 * The store's data from parsed JSON, keeping every record that is valid and setting aside the ones
 * that are not. Null when the file as a whole is not a store of this version.
 */
function salvage(raw: unknown): { data: StoreData; setAside: SetAside[] } | { fatal: string } {
  if (!isPlainObject(raw)) return { fatal: 'not a JSON object' }
  if (raw.schema !== 1) return { fatal: `unexpected content at schema (${JSON.stringify(raw.schema)?.slice(0, 40)})` }
  const setAside: SetAside[] = []
  const why = (e: z.ZodError) => {
    const i = e.issues[0]
    return `${i?.path.join('.') || 'value'}: ${i?.message ?? 'invalid'}`
  }
  const data = empty()
  for (const name of Object.keys(COLLECTIONS) as Collection[]) {
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
      const parsed = COLLECTIONS[name].safeParse(value)
      if (parsed.success) out[key] = parsed.data
      else setAside.push({ where: `${name}.${key}`, reason: why(parsed.error), value })
    }
    ;(data as Record<Collection, unknown>)[name] = out
  }
  if (raw.openedFolders !== undefined) {
    if (Array.isArray(raw.openedFolders)) {
      for (const f of raw.openedFolders) {
        if (typeof f === 'string') data.openedFolders.push(f)
        else setAside.push({ where: 'openedFolders', reason: 'not a folder path', value: f })
      }
    } else setAside.push({ where: 'openedFolders', reason: 'not a list', value: raw.openedFolders })
  }
  if (raw.settings !== undefined) {
    const parsed = StoreDataSchema.shape.settings.safeParse(raw.settings)
    if (parsed.success) data.settings = parsed.data
    else setAside.push({ where: 'settings', reason: why(parsed.error), value: raw.settings })
  }
  return { data, setAside }
}

const WRITE_REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the folder is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EIO: 'an input/output error'
}

/** Put `target` back to `saved` in place: objects that survive keep their identity. */
function restoreInPlace(target: Record<string, unknown>, saved: Record<string, unknown>): void {
  for (const key of Object.keys(target)) if (!(key in saved)) delete target[key]
  for (const [key, value] of Object.entries(saved)) {
    const current = target[key]
    if (isPlainObject(current) && isPlainObject(value)) restoreInPlace(current, value)
    else if (Array.isArray(current) && Array.isArray(value) && current.length === value.length && value.every((v, i) => isPlainObject(v) && isPlainObject(current[i]))) {
      value.forEach((v, i) => restoreInPlace(current[i] as Record<string, unknown>, v as Record<string, unknown>))
    } else target[key] = value
  }
}

/** lowdb's adapter, saving through a unique temp file that is flushed and renamed into place. */
class AtomicJsonFile implements Adapter<StoreData> {
  /** the text of the last successful save (what is on disk) */
  saved: string | null = null
  constructor(
    private readonly file: string,
    private readonly write_: (file: string, text: string) => Promise<void>
  ) {}
  async read(): Promise<StoreData | null> {
    return null // openStore reads the file itself, record by record
  }
  async write(data: StoreData): Promise<void> {
    const text = JSON.stringify(data, null, 2)
    await this.write_(this.file, text)
    this.saved = text
  }
}

/** What is at `file`: nothing, a regular file, or something else (a FIFO would hang a read). */
async function kindOf(file: string): Promise<'none' | 'file' | string> {
  const st = await stat(file).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : e))
  if (st === null) return 'none'
  if (st instanceof Error) return st.code ?? st.message
  if (st.isFile()) return 'file'
  return st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device or other special file'
}

export async function openStore(dataDir: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const readOnly = !!opts.readOnly
  const file = join(dataDir, STORE_FILE)
  const notices: Notice[] = []
  let lock: DataDirLock | null = null
  const writeErrorListeners = new Set<(err: Error) => void>()
  const reportWriteError = (err: Error) => writeErrorListeners.forEach((l) => l(err))
  if (!readOnly) {
    await mkdir(dataDir, { recursive: true })
    lock = await lockDataDir(dataDir, opts.owner ?? 'trace2skill', () => {
      notices.push({ level: 'error', message: `Another trace2skill took over the data folder ${dataDir}; this one no longer saves anything. Restart it.` })
    })
  }
  try {
    let initial = empty()
    let mustWrite = false
    const kind = await kindOf(file)
    if (kind === 'none') mustWrite = true
    else {
      let reason: string | null = null
      let setAside: SetAside[] = []
      if (kind !== 'file') reason = kind.startsWith('a ') ? `it is not a regular file but ${kind}` : kind
      else {
        try {
          const text = await readFile(file, 'utf8')
          const got = salvage(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text))
          if ('fatal' in got) reason = got.fatal
          else ({ data: initial, setAside } = got)
        } catch (err) {
          reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message.split('\n')[0]
        }
      }
      if (reason) {
        initial = empty()
        if (readOnly) notices.push({ level: 'warning', message: `The store could not be read (${reason}); shown as empty.`, detail: `File: ${file}. Nothing was changed.` })
        else {
          notices.push(await moveAside(file, reason, 'store'))
          mustWrite = true
        }
      } else if (setAside.length) {
        const n = setAside.length
        const list = setAside.slice(0, 3).map((s) => `${s.where} (${s.reason})`).join('; ') + (n > 3 ? `; and ${n - 3} more` : '')
        const notice: Notice = { level: 'warning', message: `${n} record${n === 1 ? '' : 's'} in the store could not be read and ${n === 1 ? 'was' : 'were'} set aside: ${list}. Everything else was loaded.` }
        if (!readOnly) {
          const asideFile = `${file}.set-aside-${stamp()}.json`
          await writeFileAtomic(asideFile, JSON.stringify({ from: file, at: new Date().toISOString(), records: setAside }, null, 2))
          notice.detail = `The records are kept in ${asideFile}.`
          mustWrite = true
        }
        notices.push(notice)
      }
    }
    const adapter = new AtomicJsonFile(file, opts.writeFile ?? ((f, text) => writeFileAtomic(f, text)))
    const db = new Low<StoreData>(adapter, initial)
    db.data = initial
    if (mustWrite && !readOnly) await db.write()
    else adapter.saved = JSON.stringify(initial, null, 2)

    let queue: Promise<void> = Promise.resolve()
    const undo = () => restoreInPlace(db.data as unknown as Record<string, unknown>, JSON.parse(adapter.saved!))
    return {
      dataDir,
      db,
      notices,
      readOnly,
      // Serialise writes: one writer, in order, each on the latest data.
      update(fn) {
        const next = queue.then(async () => {
          if (readOnly) throw Object.assign(new Error(`read-only: this command does not change the store (${file})`), { code: 'read-only' })
          if (lock && !lock.held) throw Object.assign(new Error(`not saved: another trace2skill took over the data folder ${dataDir}`), { code: 'data-dir-busy' })
          try {
            fn(db.data)
          } catch (err) {
            undo()
            throw err
          }
          try {
            await db.write()
          } catch (err) {
            undo()
            const code = (err as NodeJS.ErrnoException).code ?? ''
            const e = Object.assign(new Error(`Could not save to ${file}: ${WRITE_REASONS[code] ?? (err as Error).message.split('\n')[0]}${code ? ` (${code})` : ''}. The change was undone; what was saved before is intact.`), { code: 'store-write-failed' })
            reportWriteError(e)
            throw e
          }
        })
        queue = next.catch(() => {})
        return next
      },
      onWriteError(listener) {
        writeErrorListeners.add(listener)
        return () => void writeErrorListeners.delete(listener)
      },
      async close() {
        await queue
        await lock?.release()
      }
    }
  } catch (err) {
    await lock?.release()
    throw err
  }
}

/** Read a JSON side file (cache); a corrupt one is moved aside with a notice and treated as absent. */
export async function readSideFile<T>(file: string, schema: z.ZodType<T>, what: string, notices: Notice[], readOnly = false): Promise<T | null> {
  const kind = await kindOf(file)
  if (kind === 'none') return null
  if (kind !== 'file') {
    // a FIFO would hang the read; a folder cannot be one
    if (readOnly) notices.push({ level: 'warning', message: `The ${what} could not be read (${kind}); it was left alone.`, detail: `File: ${file}` })
    else notices.push(await moveAside(file, kind.startsWith('a ') ? `it is not a regular file but ${kind}` : kind, what))
    return null
  }
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return null
  }
  let reason = 'unexpected content'
  try {
    const parsed = schema.safeParse(JSON.parse(text))
    if (parsed.success) return parsed.data
  } catch (err) {
    reason = (err as Error).message.split('\n')[0]
  }
  if (readOnly) notices.push({ level: 'warning', message: `The ${what} could not be read (${reason}); it was left alone.`, detail: `File: ${file}` })
  else notices.push(await moveAside(file, reason, what))
  return null
}
