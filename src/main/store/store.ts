/**
 * The offline store: lowdb (one JSON file) in the app's data dir, metadata only, one writer (main).
 * Large payloads (archived sessions, the index cache) live in files beside it.
 *
 * A store that cannot be read at start-up is never overwritten: it is moved aside, the app starts with
 * an empty store, and a notice says where the old file is and how to put it back.
 */
import { mkdir, readFile, rename, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import { z } from 'zod'
import type { Notice } from '../../shared/contract'
import { BatchSchema, RunSchema, TaskSchema, VariationSchema } from '../../shared/runs'
import { AnalysisSchema } from '../../shared/analysis'
import { SkillSchema, SkillVersionSchema } from '../../shared/skills'

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

export interface Store {
  readonly dataDir: string
  readonly db: Low<StoreData>
  /** notices from start-up (a corrupt store moved aside...) */
  readonly notices: Notice[]
  update(fn: (data: StoreData) => void): Promise<void>
}

/** Move an unreadable file aside (never delete it) and describe how to restore it. */
async function moveAside(file: string, reason: string, what: string): Promise<Notice> {
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`
  await rename(file, aside)
  return {
    level: 'warning',
    message: `The ${what} could not be read (${reason}); it was moved aside and a new one was started.`,
    detail: `Old file kept at ${aside}. To restore it, quit the app, repair that file and move it back to ${file}.`
  }
}

export async function openStore(dataDir: string): Promise<Store> {
  await mkdir(dataDir, { recursive: true })
  const file = join(dataDir, STORE_FILE)
  const notices: Notice[] = []
  let initial = empty()
  const exists = await stat(file).then(
    () => true,
    () => false
  )
  if (exists) {
    let reason: string | null = null
    try {
      const text = await readFile(file, 'utf8')
      const parsed = StoreDataSchema.safeParse(JSON.parse(text))
      if (parsed.success) initial = parsed.data
      else reason = `unexpected content at ${parsed.error.issues[0]?.path.join('.') || 'top level'}`
    } catch (err) {
      reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message.split('\n')[0]
    }
    if (reason) notices.push(await moveAside(file, reason, 'store'))
  }
  const db = new Low<StoreData>(new JSONFile<StoreData>(file), initial)
  db.data = initial
  if (!exists || notices.length) await db.write()
  let queue: Promise<void> = Promise.resolve()
  return {
    dataDir,
    db,
    notices,
    // Serialise writes: one writer, in order, each on the latest data.
    update(fn) {
      const next = queue.then(async () => {
        fn(db.data)
        await db.write()
      })
      queue = next.catch(() => {})
      return next
    }
  }
}

/** Read a JSON side file (cache); a corrupt one is moved aside with a notice and treated as absent. */
export async function readSideFile<T>(file: string, schema: z.ZodType<T>, what: string, notices: Notice[]): Promise<T | null> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return null
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text))
    if (parsed.success) return parsed.data
    notices.push(await moveAside(file, 'unexpected content', what))
  } catch (err) {
    notices.push(await moveAside(file, (err as Error).message.split('\n')[0], what))
  }
  return null
}
