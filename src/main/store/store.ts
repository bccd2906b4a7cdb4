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
import { fail } from '../../shared/contract'
import { mkdir, readdir, rename } from 'node:fs/promises'
import { join } from 'node:path'
import type { Notice } from '../../shared/contract'
import type { Analysis } from '../../shared/analysis'
import type { Operation } from '../../shared/operations'
import type { Batch, Run, Task, Variation } from '../../shared/runs'
import type { Skill, SkillVersion } from '../../shared/skills'
import type { Verification } from '../../shared/verify'
import { Collection, isDocId, type HeadStore, type StoreContext } from './collection'
import { atomicWrite, DOC_SCHEMA, JsonDocument, kindOf, readDocument, reportSetAside, stamp, type WriteFn } from './document'
import { lockDataDir, type DataDirLock } from './lock'
import { emptyLegacy, LEGACY_FILE, LEGACY_SCHEMA, LEGACY_SPEC, splitLegacy, type LegacyData, type Migrated } from './migrate'
import {
  ANALYSIS_SPEC,
  analysisHead,
  BATCH_SPEC,
  batchHead,
  emptyIndex,
  emptySessions,
  INDEX_SPEC,
  OPERATION_SPEC,
  operationHead,
  SESSIONS_SPEC,
  SKILL_SPEC,
  skillHead,
  type AnalysisDoc,
  type AnalysisHead,
  type ArchiveEntry,
  type BatchDoc,
  type BatchHead,
  type IndexData,
  type OperationDoc,
  type OperationHead,
  type Pin,
  type SessionsData,
  type SkillDoc,
  type SkillHead,
  VERIFICATION_SPEC,
  verificationHead,
  type VerificationDoc,
  type VerificationHead
} from './schema'

export type { ArchiveEntry, BatchDoc, Pin } from './schema'
export { isDocId } from './collection'

export const STORE_DIR = 'store'
export const INDEX_FILE = 'index.json'
export const SESSIONS_FILE = 'sessions.json'
/** The single-file store of earlier versions (migrated on first start). */
export const STORE_FILE = LEGACY_FILE

// ---------------------------------------------------------------------------------------------------
// Repositories

/** index.json: settings, opened folders, tasks and variations; the heads of everything else. */
export class IndexRepo {
  constructor(private readonly doc: JsonDocument<IndexData>) {}

  get file() {
    return this.doc.file
  }
  settings(): Readonly<IndexData['settings']> {
    return this.doc.data.settings
  }
  setBaseUrl(baseUrl: string | undefined): Promise<void> {
    return this.doc.update((d) => void (d.settings.baseUrl = baseUrl))
  }
  openedFolders(): readonly string[] {
    return this.doc.data.openedFolders
  }
  /** Remember a folder the user opened (read-only: for this process only). */
  async addOpenedFolder(dir: string): Promise<boolean> {
    if (this.doc.data.openedFolders.includes(dir)) return false
    if (this.doc.readOnly) this.doc.patch((d) => void d.openedFolders.push(dir))
    else await this.doc.update((d) => void d.openedFolders.push(dir))
    return true
  }
  tasks(): Task[] {
    return Object.values(this.doc.data.tasks)
  }
  task(id: string): Task | undefined {
    return Object.hasOwn(this.doc.data.tasks, id) ? this.doc.data.tasks[id] : undefined
  }
  putTask(t: Task): Promise<void> {
    return this.doc.update((d) => void (d.tasks[t.id] = t))
  }
  deleteTask(id: string): Promise<void> {
    return this.doc.update((d) => {
      delete d.tasks[id]
      delete d.variations[id]
    })
  }
  variations(taskId: string): Variation[] {
    return Object.hasOwn(this.doc.data.variations, taskId) ? this.doc.data.variations[taskId] : []
  }
  setVariations(taskId: string, list: Variation[], updatedAt: string): Promise<void> {
    return this.doc.update((d) => {
      d.variations[taskId] = list
      if (Object.hasOwn(d.tasks, taskId)) d.tasks[taskId].updatedAt = updatedAt
    })
  }

  /** The heads of one collection, kept in this document. */
  heads<K extends 'batches' | 'analyses' | 'skills' | 'operations' | 'verifications'>(field: K): HeadStore<IndexData[K][string]> {
    return {
      all: () => this.doc.data[field] as Record<string, IndexData[K][string]>,
      set: async (id, head, coalesce) => {
        const change = (d: IndexData) => {
          const heads = d[field] as Record<string, unknown>
          if (head === null) delete heads[id]
          else heads[id] = head
        }
        if (coalesce || this.doc.readOnly) this.doc.patch(change)
        else await this.doc.update(change)
      }
    }
  }

  flush() {
    return this.doc.flush()
  }
}

/** sessions.json: pins and archived sessions. */
export class SessionsRepo {
  constructor(private readonly doc: JsonDocument<SessionsData>) {}

  get file() {
    return this.doc.file
  }
  pin(sessionId: string): Pin | undefined {
    return Object.hasOwn(this.doc.data.pins, sessionId) ? this.doc.data.pins[sessionId] : undefined
  }
  pins(): Pin[] {
    return Object.values(this.doc.data.pins)
  }
  setPin(pin: Pin): Promise<void> {
    return this.doc.update((d) => void (d.pins[pin.sessionId] = pin))
  }
  unpin(sessionId: string): Promise<void> {
    return this.doc.update((d) => void delete d.pins[sessionId])
  }
  archive(sessionId: string): ArchiveEntry | undefined {
    return Object.hasOwn(this.doc.data.archives, sessionId) ? this.doc.data.archives[sessionId] : undefined
  }
  archives(): ArchiveEntry[] {
    return Object.values(this.doc.data.archives)
  }
  putArchive(entry: ArchiveEntry): Promise<void> {
    return this.doc.update((d) => void (d.archives[entry.sessionId] = entry))
  }
  deleteArchive(sessionId: string): Promise<void> {
    return this.doc.update((d) => void delete d.archives[sessionId])
  }
  flush() {
    return this.doc.flush()
  }
}

/** batches/<id>.json: a batch and its runs. */
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

/** analyses/<id>.json */
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

/** skills/<id>.json: a skill and its versions. */
export class SkillsRepo extends Collection<SkillDoc, SkillHead> {
  private versionOwner = new Map<string, string>()
  async get(id: string): Promise<Skill | undefined> {
    return (await this.load(id))?.data.skill
  }
  /** Save the skill as it now is (a new one is created). */
  async put(s: Skill): Promise<void> {
    if (!this.has(s.id) && !this.peek(s.id)) await this.create(s.id, { schema: DOC_SCHEMA, skill: s, versions: {} })
    else await this.update(s.id, (d) => void (d.skill = s))
  }
  /** Save the skill and a new version of it in one write. */
  async putWithVersion(s: Skill, v: SkillVersion): Promise<void> {
    if (!this.has(s.id) && !this.peek(s.id)) await this.create(s.id, { schema: DOC_SCHEMA, skill: s, versions: { [v.id]: v } })
    else
      await this.update(s.id, (d) => {
        d.skill = s
        d.versions[v.id] = v
      })
    this.versionOwner.set(v.id, s.id)
  }
  async versions(skillId: string): Promise<SkillVersion[]> {
    const doc = await this.load(skillId)
    return doc ? Object.values(doc.data.versions).sort((a, b) => a.number - b.number) : []
  }
  /** A version by its id alone (the skills are read until it is found; then remembered). */
  async version(versionId: string): Promise<SkillVersion | undefined> {
    const known = this.versionOwner.get(versionId)
    const candidates = known ? [known, ...this.ids()] : this.ids()
    for (const id of candidates) {
      const doc = await this.load(id)
      if (!doc) continue
      for (const v of Object.keys(doc.data.versions)) this.versionOwner.set(v, id)
      if (Object.hasOwn(doc.data.versions, versionId)) return doc.data.versions[versionId]
    }
    return undefined
  }
}

/** operations/<id>.json */
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
    for (const [id] of finished.slice(keep)) if (!newest.has(id)) await this.remove(id).catch(() => {})
  }
}

/** verifications/<id>.json */
export class VerificationsRepo extends Collection<VerificationDoc, VerificationHead> {
  /** The verifications of a skill (of one version of it), oldest first. */
  ofSkill(skillId: string, versionId?: string): string[] {
    return Object.entries(this.heads.all())
      .filter(([, h]) => h.skillId === skillId && (!versionId || h.versionId === versionId))
      .sort(([, a], [, b]) => a.createdAt.localeCompare(b.createdAt))
      .map(([id]) => id)
  }
  /** The verification whose runs are this batch's. */
  ofBatch(batchId: string): string | undefined {
    return Object.entries(this.heads.all()).find(([, h]) => h.batchId === batchId)?.[0]
  }
  async get(id: string): Promise<Verification | undefined> {
    return (await this.load(id))?.data.verification
  }
  /** Save the verification as it now is (a new one is created). */
  async put(v: Verification): Promise<void> {
    if (!this.has(v.id) && !this.peek(v.id)) await this.create(v.id, { schema: DOC_SCHEMA, verification: v })
    else await this.update(v.id, (d) => void (d.verification = v))
  }
}

// ---------------------------------------------------------------------------------------------------
// Opening

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

const COLLECTIONS = ['batches', 'analyses', 'skills', 'operations', 'verifications'] as const

/** Documents on disk without the index (it was lost or moved aside): their heads, rebuilt. */
async function rebuildHeads(dir: string, index: IndexData, readOnly: boolean, notices: Notice[]): Promise<number> {
  const specs = {
    batches: [BATCH_SPEC, batchHead],
    analyses: [ANALYSIS_SPEC, analysisHead],
    skills: [SKILL_SPEC, skillHead],
    operations: [OPERATION_SPEC, operationHead],
    verifications: [VERIFICATION_SPEC, verificationHead]
  } as const
  let n = 0
  for (const field of COLLECTIONS) {
    const names = await readdir(join(dir, field)).catch(() => [] as string[])
    for (const name of names) {
      const id = name.endsWith('.json') ? name.slice(0, -5) : ''
      if (!isDocId(id)) continue
      const [spec, headOf] = specs[field]
      const got = await readDocument<object>(
        join(dir, field, name),
        spec,
        () => ({ schema: DOC_SCHEMA }),
        `${{ batches: 'batch', analyses: 'analysis', skills: 'skill', operations: 'operation', verifications: 'verification' }[field]} ${id}`,
        readOnly
      )
      notices.push(...got.notices)
      if (got.data) {
        ;(index[field] as Record<string, unknown>)[id] = (headOf as (d: object) => unknown)(got.data)
        n++
      }
    }
  }
  return n
}

export async function openStore(dataDir: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const readOnly = !!opts.readOnly
  const dir = join(dataDir, STORE_DIR)
  const notices: Notice[] = []
  let lock: DataDirLock | null = null
  const writeErrorListeners = new Set<(err: Error) => void>()
  const noticeListeners = new Set<(n: Notice) => void>()
  if (!readOnly) {
    await mkdir(dataDir, { recursive: true })
    lock = await lockDataDir(
      dataDir,
      opts.owner ?? 'trace2skill',
      () => {
        notices.push({
          level: 'error',
          message: `Another trace2skill took over the data folder ${dataDir}; this one no longer saves anything. Restart it.`
        })
      },
      { writeFile: opts.writeFile }
    )
  }
  try {
    const ctx: StoreContext = {
      readOnly,
      writeFile: opts.writeFile ?? atomicWrite,
      canWrite: () =>
        lock && !lock.held ? fail(`not saved: another trace2skill took over the data folder ${dataDir}`, 'data-dir-busy') : null,
      onWriteError: (err) => writeErrorListeners.forEach((l) => l(err)),
      notify: (n) => {
        notices.push(n)
        noticeListeners.forEach((l) => l(n))
      }
    }
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
        const old = await readDocument<LegacyData>(legacyFile, LEGACY_SPEC, emptyLegacy, 'store', readOnly, LEGACY_SCHEMA)
        notices.push(...old.notices)
        migrated = splitLegacy(old.data ?? emptyLegacy())
        if (migrated.setAside.length && !readOnly) {
          notices.push(await reportSetAside(legacyFile, migrated.setAside, 'store (while moving it to the new layout)', readOnly))
        }
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
    const what = (kind: (typeof COLLECTIONS)[number]) => (id: string) => {
      const h = index.heads(kind).all()[id] as { name?: string } | undefined
      const one = { batches: 'batch', analyses: 'analysis', skills: 'skill', operations: 'operation', verifications: 'verification' }[kind]
      return `${one} ${h?.name ? `${JSON.stringify(h.name)} (${id})` : id}`
    }
    const batches = new BatchesRepo(
      join(dir, 'batches'),
      what('batches'),
      BATCH_SPEC,
      () => ({ schema: DOC_SCHEMA, batch: null as never, runs: {} }),
      batchHead,
      index.heads('batches'),
      ctx
    )
    const analyses = new AnalysesRepo(
      join(dir, 'analyses'),
      what('analyses'),
      ANALYSIS_SPEC,
      () => ({ schema: DOC_SCHEMA, analysis: null as never }),
      analysisHead,
      index.heads('analyses'),
      ctx
    )
    const skills = new SkillsRepo(
      join(dir, 'skills'),
      what('skills'),
      SKILL_SPEC,
      () => ({ schema: DOC_SCHEMA, skill: null as never, versions: {} }),
      skillHead,
      index.heads('skills'),
      ctx
    )
    const operations = new OperationsRepo(
      join(dir, 'operations'),
      what('operations'),
      OPERATION_SPEC,
      () => ({ schema: DOC_SCHEMA, operation: null as never }),
      operationHead,
      index.heads('operations'),
      ctx
    )
    const verifications = new VerificationsRepo(
      join(dir, 'verifications'),
      what('verifications'),
      VERIFICATION_SPEC,
      () => ({ schema: DOC_SCHEMA, verification: null as never }),
      verificationHead,
      index.heads('verifications'),
      ctx
    )

    if (migrated) {
      const all = [
        ...migrated.batches.map((d) => [batches, d.batch.id, d] as const),
        ...migrated.analyses.map((d) => [analyses, d.analysis.id, d] as const),
        ...migrated.skills.map((d) => [skills, d.skill.id, d] as const),
        ...migrated.operations.map((d) => [operations, d.operation.id, d] as const)
      ]
      if (readOnly) for (const [coll, id, d] of all) (coll as Collection<object, unknown>).preload(id, d)
      else {
        // Every document first, the index last: until the index is written, the next start migrates again.
        for (const c of [batches, analyses, skills, operations]) await mkdir(c.dir, { recursive: true })
        for (const [coll, id, d] of all) await ctx.writeFile((coll as Collection<object, unknown>).fileOf(id), JSON.stringify(d, null, 1))
        await sessionsDoc.save()
      }
    }
    if (indexDirty && !readOnly) await indexDoc.save()
    if (!readOnly && (await kindOf(legacyFile)) !== 'none') {
      // migrated now, or by a start that stopped before it could move the old file: keep it as a backup
      const backup = `${legacyFile}.backup-${stamp()}`
      await rename(legacyFile, backup)
      notices.push({
        level: 'info',
        message: `The store was moved to one file per batch, analysis and skill (${dir}).`,
        detail: `The old store.json is kept as ${backup}; it is no longer read.`
      })
    }

    const docs = () => [indexDoc, sessionsDoc]
    const flush = async () => {
      await Promise.all([batches.flush(), analyses.flush(), skills.flush(), operations.flush(), verifications.flush()])
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
      onWriteError(listener) {
        writeErrorListeners.add(listener)
        return () => void writeErrorListeners.delete(listener)
      },
      onNotice(listener) {
        noticeListeners.add(listener)
        return () => void noticeListeners.delete(listener)
      },
      flush,
      async close() {
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
