/**
 * The offline store: lowdb, one JSON document per aggregate, in `<data folder>/store/`, metadata only.
 * Large payloads (archived sessions, the index cache, run outputs) live in files beside it.
 *
 *   store/index.json              settings, opened folders, tasks and their variations, and a small
 *                                 head of every batch, analysis, skill and operation (to list them)
 *   store/sessions.json           pinned sessions and the archive of sessions kept by the app
 *   store/batches/<id>.json       a batch and its runs, with their feedback
 *   store/analyses/<id>.json      an analysis: its analysts, their rules, the merge
 *   store/skills/<id>.json        a skill and every saved version of it
 *   store/operations/<id>.json    a long piece of work: its kind, parameters and how it ended
 *   store/verifications/<id>.json a verification of a skill version (its runs are a batch of their own)
 *   store/rubrics/<id>.json       a task's rubric (assertions from the person's sentences) and every version of it
 *   store/graders/<id>.json       one measurement of the grader's agreement with the person on a batch
 *   store/pregrades/<batch>.json  the grader's grades of a batch's runs, apart from the person's until confirmed
 *   store/triggers/<skill>.json   a skill's trigger queries, their measurements and the description's optimisations
 *
 * A change writes only its own document (feedback: that batch's file), so a write costs the same with
 * one batch or a thousand. Typed repositories are the only way in; nothing else touches the data.
 *
 * Nothing is lost:
 * - One writer per data folder: a writer holds the folder's lock (./lock.ts) while it runs; a second
 *   writer is refused with a message naming the first. Read-only opens take no lock and write nothing.
 * - Every write goes to a uniquely named temp file, is flushed to disk, then renamed into place.
 * - A write that fails (disk full, read-only folder) is undone in memory, in place (objects others hold
 *   keep their identity), and reported in one line; what was saved before stays on disk.
 * - A document that cannot be read is never overwritten: it is moved aside with a notice saying how to
 *   restore it, and only it is lost. One bad record in a document is set aside in a file of its own.
 * - A data folder from before (one store.json) is migrated on the first start of a writer; store.json
 *   is kept as store.json.backup-<time>. A crash during the migration leaves store.json in place, and
 *   the next start migrates again.
 */
import { join } from 'node:path'
import type { Notice } from '../../shared/contract'
import type { Operation } from '../../shared/operations'
import type { SkillVersion } from '../../shared/skills'
import type { AnalysesRepo } from './analyses-repo'
import type { BatchesRepo } from './batches-repo'
import { openCollections, rebuildHeads } from './collections'
import { JsonDocument, kindOf, readDocument, type WriteFn } from './document'
import { IndexRepo } from './index-repo'
import { keepLegacyBackup, readLegacy, writeMigrated } from './legacy'
import { LEGACY_FILE, type Migrated } from './migrate'
import type { OperationsRepo } from './operations-repo'
import { emptyIndex, emptySessions, INDEX_SPEC, SESSIONS_SPEC, type IndexData, type SessionsData } from './schema'
import { SessionsRepo } from './sessions-repo'
import type { SkillsRepo } from './skills-repo'
import type { VerificationsRepo } from './verifications-repo'
import type { RubricsRepo } from './rubrics-repo'
import type { GradersRepo } from './graders-repo'
import type { PregradesRepo } from './pregrades-repo'
import type { TriggersRepo } from './triggers-repo'
import { openWriter } from './writer'

export type { ArchiveEntry, BatchDoc, Pin } from './schema'
export { isDocId } from './collection'
export { IndexRepo } from './index-repo'
export { SessionsRepo } from './sessions-repo'
export { BatchesRepo } from './batches-repo'
export { AnalysesRepo } from './analyses-repo'
export { SkillsRepo } from './skills-repo'
export { OperationsRepo } from './operations-repo'
export { VerificationsRepo } from './verifications-repo'
export { RubricsRepo } from './rubrics-repo'
export { GradersRepo } from './graders-repo'
export { PregradesRepo } from './pregrades-repo'
export { TriggersRepo } from './triggers-repo'

export const STORE_DIR = 'store'
export const INDEX_FILE = 'index.json'
export const SESSIONS_FILE = 'sessions.json'
/** The single-file store of earlier versions (migrated on first start). */
export const STORE_FILE = LEGACY_FILE

export interface Store {
  readonly dataDir: string
  /** `<data folder>/store`: every document */
  readonly dir: string
  /** notices from start-up (a document moved aside, the migration...) */
  readonly notices: Notice[]
  /** opened without the lock: every change is refused, nothing is ever written */
  readonly readOnly: boolean
  readonly index: IndexRepo
  readonly sessions: SessionsRepo
  readonly batches: BatchesRepo
  readonly analyses: AnalysesRepo
  readonly skills: SkillsRepo
  readonly operations: OperationsRepo
  readonly verifications: VerificationsRepo
  readonly rubrics: RubricsRepo
  readonly graders: GradersRepo
  readonly pregrades: PregradesRepo
  readonly triggers: TriggersRepo
  /** every failed write, also those nobody awaited (coalesced progress): e.g. shown as a notice */
  onWriteError(listener: (err: Error) => void): () => void
  /** notices found after start-up (a document that could not be read when first needed) */
  onNotice(listener: (n: Notice) => void): () => void
  /** write every pending (coalesced) change now */
  flush(): Promise<void>
  /** write what is pending and release the data folder */
  close(): Promise<void>
}

export interface OpenStoreOptions {
  /** take no lock and never write (commands that only read) */
  readOnly?: boolean
  /** who holds the lock, for the message a second writer gets ("the desktop app") */
  owner?: string
  /** tests: how a file is written (to inject a failing disk) */
  writeFile?: WriteFn
}

export async function openStore(dataDir: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const readOnly = !!opts.readOnly
  const dir = join(dataDir, STORE_DIR)
  const notices: Notice[] = []
  const writer = await openWriter(dataDir, { readOnly, owner: opts.owner, writeFile: opts.writeFile }, notices)
  const { ctx, lock } = writer
  try {
    const docOpts = (exists: boolean) => ({
      readOnly,
      writeFile: ctx.writeFile,
      canWrite: ctx.canWrite,
      onWriteError: ctx.onWriteError,
      exists
    })
    const indexFile = join(dir, INDEX_FILE)
    const sessionsFile = join(dir, SESSIONS_FILE)
    const legacyFile = join(dataDir, LEGACY_FILE)

    const readIndex = await readDocument(indexFile, INDEX_SPEC, emptyIndex, 'store index', readOnly)
    notices.push(...readIndex.notices)
    let indexData = readIndex.data
    let sessionsData: SessionsData | null = null
    let migrated: Migrated | null = null
    let indexDirty = readIndex.dirty

    if (!indexData) {
      const legacyKind = await kindOf(legacyFile)
      if (legacyKind !== 'none' && !readIndex.notices.length) {
        // A data folder from before: one store.json. Read it record by record (as before), then split it.
        migrated = await readLegacy(legacyFile, readOnly, notices)
        indexData = migrated.index
        sessionsData = migrated.sessions
      } else {
        indexData = emptyIndex()
        // the index was lost or moved aside: the documents are still there
        const found = await rebuildHeads(dir, indexData, readOnly, notices)
        if (found && readIndex.notices.length)
          notices.push({
            level: 'info',
            message: `The store's index was rebuilt from its ${found} documents (batches, analyses, skills); settings, tasks and opened folders are in the old index file.`
          })
      }
      indexDirty = true
    }

    if (!sessionsData) {
      const readSessions = await readDocument(sessionsFile, SESSIONS_SPEC, emptySessions, 'list of pinned and archived sessions', readOnly)
      notices.push(...readSessions.notices)
      sessionsData = readSessions.data ?? emptySessions()
    }

    const indexDoc = new JsonDocument<IndexData>(indexFile, indexData, docOpts(!!readIndex.data))
    const sessionsDoc = new JsonDocument<SessionsData>(sessionsFile, sessionsData, docOpts(!migrated))
    const index = new IndexRepo(indexDoc)
    const sessions = new SessionsRepo(sessionsDoc)
    const collections = openCollections(dir, index, ctx)
    const { batches, analyses, skills, operations, verifications, rubrics, graders, pregrades, triggers } = collections

    if (migrated) await writeMigrated(migrated, collections, sessionsDoc, ctx)
    if (indexDirty && !readOnly) await indexDoc.save()
    // migrated now, or by a start that stopped before it could move the old file: keep it as a backup
    if (!readOnly) await keepLegacyBackup(legacyFile, dir, notices)

    const docs = () => [indexDoc, sessionsDoc]
    const flush = async () => {
      await Promise.all([
        batches.flush(),
        analyses.flush(),
        skills.flush(),
        operations.flush(),
        verifications.flush(),
        rubrics.flush(),
        graders.flush(),
        pregrades.flush(),
        triggers.flush()
      ])
      await Promise.all(docs().map((d) => d.flush()))
    }
    return {
      dataDir,
      dir,
      notices,
      readOnly,
      index,
      sessions,
      batches,
      analyses,
      skills,
      operations,
      verifications,
      rubrics,
      graders,
      pregrades,
      triggers,
      onWriteError: writer.onWriteError,
      onNotice: writer.onNotice,
      flush,
      async close() {
        // a write that fails is reported through onWriteError; the lock is let go either way
        await flush().catch(() => {})
        await lock?.release()
      }
    }
  } catch (err) {
    await lock?.release()
    throw err
  }
}

export { readSideFile } from './side-file'
export type { Operation, SkillVersion }
