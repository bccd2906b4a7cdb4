/**
 * The runs domain (step 1 of the workflow): tasks, their variations, batches of `claude -p` runs,
 * sessions imported as runs, and run screenshots. The contract handlers (src/main/app/runs-handlers.ts)
 * only adapt requests to these. Electron-free.
 */
import { randomUUID } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fail } from '../../shared/contract'
import { totalTokens } from '../../shared/numbers'
import {
  emptyProgress,
  RunSettingsSchema,
  type Batch,
  type Difficulty,
  type Mix,
  type Run,
  type RunSettings,
  type Task,
  type TemplateInspection,
  type Variation
} from '../../shared/runs'
import { isInside } from '../base/paths'
import { archiveSession } from '../store/archive'
import type { BatchDoc, Store } from '../store/store'
import type { SessionIndex } from '../traces/indexer'
import { createModelAccess, type SecretStore } from './access'
import { BatchRunner, type BatchStartOptions } from './runner'
import { planRuns } from './queued'
import { readWorkspaceFile } from './workspace-request'
import { generateVariations, nearMissesFor, regenerateOne } from './variations'
import { checkTemplate, readRunTexts } from '../base/workspace'

export interface RunsContext {
  store: Store
  index: SessionIndex
  runner: BatchRunner
  secrets: SecretStore
  env: NodeJS.ProcessEnv
  /** model access, when the caller has built it already (else built here from the secrets and env) */
  access?: ReturnType<typeof createModelAccess>
  /** what a batch's runs are readied with beyond its template, when it is not a plain batch (a verification's: its skill) */
  startOptions?: (batchId: string) => BatchStartOptions | undefined
}

export type TaskInput = Pick<Task, 'name' | 'text' | 'templateDir' | 'skillMd'> & { id?: string }
export type VariationInput = { id?: string; difficulty: Difficulty; prompt: string; nearMiss?: boolean }
export type SessionRef = { sessionId: string; projectId?: string }

export function createRunsService(ctx: RunsContext) {
  const { store, runner } = ctx
  const now = () => new Date().toISOString()
  const { modelAccess, publicAccess } = ctx.access ?? createModelAccess(store, ctx.secrets, ctx.env)

  const task = (id: string) => {
    const t = store.index.task(id)
    if (!t) throw fail(`no such task: ${id}`, 'not-found')
    return t
  }
  const batchOf = async (id: string): Promise<BatchDoc> => {
    const b = await store.batches.get(id)
    if (!b) throw fail(`no such batch: ${id}`, 'not-found')
    return b
  }
  const putVariations = async (taskId: string, list: VariationInput[]) => {
    const variations: Variation[] = list.map((v) => ({
      id: v.id ?? randomUUID(),
      taskId,
      difficulty: v.difficulty,
      prompt: v.prompt.trim(),
      ...(v.nearMiss ? { nearMiss: true } : {})
    }))
    await store.index.setVariations(taskId, variations, now())
    return variations
  }
  const batchesOfTask = (taskId: string) => store.batches.ids().filter((b) => store.batches.head(b)?.taskId === taskId)

  return {
    // Tasks
    async listTasks() {
      return store.index.tasks().sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    },
    async saveTask(input: TaskInput): Promise<Task> {
      if (input.templateDir) {
        const st = await stat(input.templateDir).catch(() => null)
        if (!st?.isDirectory()) throw fail(`the template folder does not exist: ${input.templateDir}`, 'invalid')
        // links in it that point outside it are refused now, naming them (and again when a batch starts)
        await checkTemplate(input.templateDir)
      }
      const existing = input.id ? task(input.id) : undefined
      const t = {
        id: existing?.id ?? randomUUID(),
        name: input.name,
        text: input.text,
        templateDir: input.templateDir ? resolve(input.templateDir) : undefined,
        skillMd: input.skillMd,
        createdAt: existing?.createdAt ?? now(),
        updatedAt: now()
      }
      await store.index.putTask(t)
      return t
    },
    /** What the task's template holds for Claude Code, and what of it runs load (null: no template). */
    async inspectTemplate(taskId: string): Promise<TemplateInspection | null> {
      const dir = task(taskId).templateDir
      if (!dir) return null
      return { dir, entries: await runner.driver.inspectTemplate(dir) }
    },
    async deleteTask(id: string) {
      if (batchesOfTask(id).length) throw fail('this task has batches of runs; it is kept so their runs stay readable', 'invalid')
      const had = !!store.index.task(id)
      await store.index.deleteTask(id)
      return { deleted: had }
    },

    // Variations
    async variations(taskId: string) {
      task(taskId)
      return store.index.variations(taskId)
    },
    async saveVariations(taskId: string, list: VariationInput[]) {
      task(taskId)
      return putVariations(taskId, list)
    },
    async generateVariations(taskId: string, mix: Mix, model?: string) {
      const t = task(taskId)
      // with a few near-miss prompts (the "should not trigger" cases), left out of a batch unless included
      const total = Object.values(mix).reduce((n, k) => n + k, 0)
      const proposed = await generateVariations(await modelAccess(), t, mix, { model, nearMisses: nearMissesFor(total) })
      return putVariations(taskId, proposed)
    },
    /** variations for a task given by its text, saved nowhere (nothing is written: a read-only store serves it) */
    async proposeVariations(task: Pick<Task, 'name' | 'text'>, mix: Mix, model?: string) {
      return generateVariations(await modelAccess(), task, mix, { model })
    },
    async regenerateVariation(taskId: string, variationId: string, model?: string) {
      const t = task(taskId)
      const list = store.index.variations(taskId)
      const at = list.findIndex((v) => v.id === variationId)
      if (at < 0) throw fail(`no such variation: ${variationId}`, 'not-found')
      const fresh = await regenerateOne(
        await modelAccess(),
        t,
        list[at].difficulty,
        list.map((v) => v.prompt),
        { model, nearMiss: list[at].nearMiss }
      )
      const next = list.map((v, i) => (i === at ? { ...v, prompt: fresh.prompt } : v))
      return putVariations(taskId, next)
    },

    // Model access and what runs need on this machine
    modelAccess: publicAccess,
    async setApiKey(key: string) {
      await ctx.secrets.set(key)
      return publicAccess()
    },
    async setBaseUrl(baseUrl: string | null) {
      await store.index.setBaseUrl(baseUrl ?? undefined)
      return publicAccess()
    },
    checkClaude: (path?: string) => runner.driver.check(path, ctx.env),
    checkSandbox: () => runner.driver.preflight(ctx.env),

    // Batches
    /** A batch of the task's variations; its near-miss ones only when includeNearMiss. */
    async createBatch(taskId: string, settings: RunSettings, name?: string, includeNearMiss = false): Promise<Batch> {
      const t = task(taskId)
      const all = store.index.variations(taskId)
      if (!all.length) throw fail('this task has no variations yet: generate or paste some first', 'invalid')
      const variations = includeNearMiss ? all : all.filter((v) => !v.nearMiss)
      if (!variations.length)
        throw fail(
          `every variation of this task is a near miss (${all.length}): include them to run them, or add an ordinary one`,
          'invalid'
        )
      const s = RunSettingsSchema.parse(settings)
      // A preset that cannot work here is refused now, with the reason: never a silent fall-back.
      const can = await runner.driver.presetAvailability(s.permission, ctx.env)
      if (!can.available) throw fail(runner.driver.refusal(s.permission, can), 'preset-unavailable')
      const id = randomUUID()
      const runs = planRuns(id, variations, s)
      const count = batchesOfTask(taskId).length
      const batch: Batch = {
        id,
        taskId,
        name: name || `${t.name} #${count + 1}`,
        createdAt: now(),
        settings: s,
        runIds: runs.map((r) => r.id)
      }
      await store.batches.add(batch, runs)
      return batch
    },
    async startBatch(batchId: string) {
      await runner.start(batchId, undefined, ctx.startOptions?.(batchId))
      return runner.batchStatus(await batchOf(batchId))
    },
    cancelRun: (runId: string) => runner.cancel(runId),
    cancelBatch: (batchId: string) => runner.cancelBatch(batchId),
    /** the given runs, else every failed, cancelled or interrupted one */
    async retryRuns(batchId: string, runIds?: string[]) {
      const doc = await batchOf(batchId)
      const ids =
        runIds ??
        store.batches
          .runsOf(doc)
          .filter((r) => ['failed', 'cancelled', 'interrupted'].includes(r.state))
          .map((r) => r.id)
      for (const id of ids) if (!doc.batch.runIds.includes(id)) throw fail(`run ${id} is not in this batch`, 'invalid')
      await runner.start(batchId, ids, ctx.startOptions?.(batchId))
      return runner.batchStatus(doc)
    },
    async listBatches(taskId?: string) {
      const ids = store.batches.ids().filter((id) => !taskId || store.batches.head(id)?.taskId === taskId)
      const docs = (await Promise.all(ids.map((id) => store.batches.get(id)))).filter((d): d is BatchDoc => !!d)
      return docs
        .sort((a, b) => b.batch.createdAt.localeCompare(a.batch.createdAt))
        .map((d) => ({ batch: d.batch, status: runner.batchStatus(d) }))
    },
    async batch(batchId: string) {
      const doc = await batchOf(batchId)
      return { batch: doc.batch, runs: store.batches.runsOf(doc), status: runner.batchStatus(doc) }
    },

    /** Past sessions as runs to grade: added to a batch, a new one unless batchId is given. */
    async importSessions(sessions: SessionRef[], into: { batchId?: string; name?: string } = {}): Promise<Batch> {
      const existing = into.batchId ? await batchOf(into.batchId) : undefined
      const batch: Batch = existing
        ? existing.batch
        : {
            id: randomUUID(),
            name: into.name || `Imported sessions ${now().slice(0, 10)}`,
            createdAt: now(),
            settings: RunSettingsSchema.parse({}),
            runIds: []
          }
      const runs: Run[] = []
      for (const s of sessions) {
        const found = await ctx.index.findSession(s.sessionId, s.projectId)
        const archived = store.sessions.archive(s.sessionId)
        if (!found && !archived) throw fail(`session not found: ${s.sessionId}`, 'not-found')
        if (existing && store.batches.runsOf(existing).some((r) => r.sessionId === s.sessionId)) continue
        if (runs.some((r) => r.sessionId === s.sessionId)) continue
        const projectId = found?.projectId ?? archived!.projectId
        const summary = found ? await ctx.index.sessionSummary(projectId, found.file) : null
        // Used in later steps: keep a copy, whatever Claude Code deletes later.
        if (found) await archiveSession(store, { sessionId: s.sessionId, projectId, file: found.file, cwd: summary?.cwd })
        runs.push({
          id: randomUUID(),
          batchId: batch.id,
          number: batch.runIds.length + runs.length + 1,
          prompt: summary?.firstPrompt ?? '',
          repeat: 1,
          state: 'done',
          sessionId: s.sessionId,
          projectId,
          workspace: summary?.cwd,
          startedAt: summary?.start,
          endedAt: summary?.end,
          // the session's numbers (src/shared/numbers.ts), as the browser and the deck show them
          progress: summary
            ? {
                turns: summary.turns,
                toolCalls: summary.toolCalls,
                tokens: totalTokens(summary.usage),
                costUsd: summary.costUsd,
                costSource: summary.costSource ?? 'estimated',
                elapsedMs: summary.durationMs
              }
            : emptyProgress(),
          files: [],
          screenshots: [],
          imported: true
        })
      }
      const next = { ...batch, runIds: [...batch.runIds, ...runs.map((r) => r.id)] }
      if (existing)
        await store.batches.update(next.id, (d) => {
          d.batch = next
          for (const r of runs) d.runs[r.id] = r
        })
      else await store.batches.add(next, runs)
      return next
    },

    // Screenshots
    retakeScreenshots: (runId: string) => runner.retakeScreenshots(runId),
    /** a PNG of this run's screenshots folder, as a data URL; anything else is refused */
    async screenshot(runId: string, file: string) {
      const dir = join(store.dataDir, 'runs', runId, 'screenshots')
      const path = resolve(file)
      if (!(await store.batches.run(runId)) || !isInside(path, dir) || !path.endsWith('.png'))
        throw fail('refused: not a screenshot of this run', 'forbidden')
      // a regular file of at most 64 MB: a FIFO or a link put there is refused, never waited on
      const buf = await readWorkspaceFile(path)
      if (!buf) throw fail('not a screenshot: not a regular file of at most 64 MB', 'not-found')
      return { dataUrl: `data:image/png;base64,${buf.toString('base64')}` }
    },
    /** the text files a run made, by path: the run is looked up by its id (never a path), its files read inside its folder */
    async runTexts(runId: string) {
      const found = await store.batches.run(runId)
      if (!found) throw fail(`no such run: ${JSON.stringify(runId.slice(0, 200))}`, 'not-found')
      return readRunTexts(found.run)
    }
  }
}
export type RunsService = ReturnType<typeof createRunsService>
