/**
 * Contract handlers for step 1 (tasks, variations, batches). Electron-free.
 */
import { randomUUID } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { ModelAccessInfo } from '../../shared/contract'
import { emptyProgress, formatFeedbackLine, parseFeedback, RunSettingsSchema, type Batch, type Run, type Variation } from '../../shared/runs'
import { BatchRunner, planRuns } from '../runs/runner'
import { checkClaude } from '../runs/claude'
import { permissionPreflight, presetAvailability, refusal } from '../runs/sandbox'
import { generateVariations, regenerateOne, type ModelAccess } from '../runs/variations'
import { archiveSession } from '../store/archive'
import type { Store } from '../store/store'
import type { SessionIndex } from '../traces/indexer'
import { fail, type Handlers } from './dispatch'
import { isInside } from './guards'
import { totalTokens } from '../../shared/numbers'

/** Where a pasted API key is kept: the OS keychain in Electron; memory only elsewhere. */
export interface SecretStore {
  persistent: boolean
  get(): Promise<string | null>
  set(key: string): Promise<void>
}

export function memorySecrets(): SecretStore {
  let key: string | null = null
  return { persistent: false, get: async () => key, set: async (k) => void (key = k) }
}

type RunHandlers = Pick<
  Handlers,
  | 'listTasks'
  | 'saveTask'
  | 'deleteTask'
  | 'getVariations'
  | 'saveVariations'
  | 'generateVariations'
  | 'regenerateVariation'
  | 'getModelAccess'
  | 'setApiKey'
  | 'setBaseUrl'
  | 'checkClaude'
  | 'checkSandbox'
  | 'createBatch'
  | 'startBatch'
  | 'cancelRun'
  | 'cancelBatch'
  | 'retryRuns'
  | 'listBatches'
  | 'getBatch'
  | 'importSessions'
  | 'getScreenshot'
  | 'retakeScreenshots'
  | 'saveFeedback'
  | 'exportFeedback'
  | 'importFeedback'
>

/** The API key and base URL for model calls: the environment first, then a pasted key. */
export function createModelAccess(store: Store, secrets: SecretStore, env: NodeJS.ProcessEnv) {
  const data = () => store.db.data
  const ctx = { secrets, env }
  const access = async (): Promise<ModelAccessInfo & { key: string | null }> => {
    const envKey = ctx.env.ANTHROPIC_API_KEY || null
    const saved = envKey ? null : await ctx.secrets.get()
    const key = envKey ?? saved
    return {
      hasKey: !!key,
      source: envKey ? 'env' : saved ? (ctx.secrets.persistent ? 'keychain' : 'session') : null,
      baseUrl: data().settings.baseUrl ?? ctx.env.ANTHROPIC_BASE_URL ?? null,
      canStoreKey: ctx.secrets.persistent,
      key
    }
  }
  const modelAccess = async (): Promise<ModelAccess> => {
    const a = await access()
    if (!a.key) throw fail('No Anthropic API key: set ANTHROPIC_API_KEY or paste a key on a task page (variations can also be pasted as a numbered list, and analysts can run through your Claude Code login).', 'no-api-key')
    return { apiKey: a.key, baseURL: a.baseUrl ?? undefined }
  }
  return { access, modelAccess }
}

export function createRunHandlers(ctx: { store: Store; index: SessionIndex; runner: BatchRunner; secrets: SecretStore; env: NodeJS.ProcessEnv }): RunHandlers {
  const { store, runner } = ctx
  const data = () => store.db.data
  const now = () => new Date().toISOString()

  const { access, modelAccess } = createModelAccess(store, ctx.secrets, ctx.env)
  const publicAccess = async (): Promise<ModelAccessInfo> => {
    const { key: _key, ...info } = await access()
    void _key
    return info
  }
  const task = (id: string) => {
    const t = data().tasks[id]
    if (!t) throw fail(`no such task: ${id}`)
    return t
  }
  const batchOf = (id: string): Batch => {
    const b = data().batches[id]
    if (!b) throw fail(`no such batch: ${id}`)
    return b
  }
  const saveVariations = async (taskId: string, list: { id?: string; difficulty: Variation['difficulty']; prompt: string }[]) => {
    const variations: Variation[] = list.map((v) => ({ id: v.id ?? randomUUID(), taskId, difficulty: v.difficulty, prompt: v.prompt.trim() }))
    await store.update((d) => {
      d.variations[taskId] = variations
      if (d.tasks[taskId]) d.tasks[taskId].updatedAt = now()
    })
    return variations
  }

  return {
    async listTasks() {
      return Object.values(data().tasks).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    },
    async saveTask(input) {
      if (input.templateDir) {
        const st = await stat(input.templateDir).catch(() => null)
        if (!st?.isDirectory()) throw fail(`the template folder does not exist: ${input.templateDir}`, 'invalid-input')
      }
      const existing = input.id ? task(input.id) : undefined
      const t = { id: existing?.id ?? randomUUID(), name: input.name, text: input.text, templateDir: input.templateDir ? resolve(input.templateDir) : undefined, skillMd: input.skillMd, createdAt: existing?.createdAt ?? now(), updatedAt: now() }
      await store.update((d) => void (d.tasks[t.id] = t))
      return t
    },
    async deleteTask({ id }) {
      const used = Object.values(data().batches).some((b) => b.taskId === id)
      if (used) throw fail('this task has batches of runs; it is kept so their runs stay readable', 'invalid-input')
      const had = !!data().tasks[id]
      await store.update((d) => {
        delete d.tasks[id]
        delete d.variations[id]
      })
      return { deleted: had }
    },
    async getVariations({ taskId }) {
      task(taskId)
      return data().variations[taskId] ?? []
    },
    async saveVariations({ taskId, variations }) {
      task(taskId)
      return saveVariations(taskId, variations)
    },
    async generateVariations({ taskId, mix, model }) {
      const t = task(taskId)
      const proposed = await generateVariations(await modelAccess(), t, mix, { model })
      return saveVariations(taskId, proposed)
    },
    async regenerateVariation({ taskId, variationId, model }) {
      const t = task(taskId)
      const list = data().variations[taskId] ?? []
      const at = list.findIndex((v) => v.id === variationId)
      if (at < 0) throw fail(`no such variation: ${variationId}`)
      const fresh = await regenerateOne(await modelAccess(), t, list[at].difficulty, list.map((v) => v.prompt), { model })
      const next = list.map((v, i) => (i === at ? { ...v, prompt: fresh.prompt } : v))
      return saveVariations(taskId, next)
    },
    getModelAccess: publicAccess,
    async setApiKey({ key }) {
      await ctx.secrets.set(key)
      return publicAccess()
    },
    async setBaseUrl({ baseUrl }) {
      await store.update((d) => void (d.settings.baseUrl = baseUrl ?? undefined))
      return publicAccess()
    },
    async checkClaude({ path }) {
      return checkClaude(path || 'claude', ctx.env)
    },
    checkSandbox: () => permissionPreflight({ env: ctx.env }),
    async createBatch({ taskId, settings, name }) {
      const t = task(taskId)
      const variations = data().variations[taskId] ?? []
      if (!variations.length) throw fail('this task has no variations yet: generate or paste some first', 'invalid-input')
      const s = RunSettingsSchema.parse(settings)
      // A preset that cannot work here is refused now, with the reason: never a silent fall-back.
      const can = await presetAvailability(s.permission, { env: ctx.env })
      if (!can.available) throw fail(refusal(s.permission, can), 'preset-unavailable')
      const id = randomUUID()
      const runs = planRuns(id, variations, s)
      const count = Object.values(data().batches).filter((b) => b.taskId === taskId).length
      const batch: Batch = { id, taskId, name: name || `${t.name} #${count + 1}`, createdAt: now(), settings: s, runIds: runs.map((r) => r.id) }
      await store.update((d) => {
        d.batches[id] = batch
        for (const r of runs) d.runs[r.id] = r
      })
      return batch
    },
    async startBatch({ batchId }) {
      await runner.start(batchId)
      return runner.batchStatus(batchOf(batchId))
    },
    async cancelRun({ runId }) {
      return { cancelled: await runner.cancel(runId) }
    },
    async cancelBatch({ batchId }) {
      return { cancelled: await runner.cancelBatch(batchId) }
    },
    async retryRuns({ batchId, runIds }) {
      const batch = batchOf(batchId)
      const ids = runIds ?? batch.runIds.filter((id) => ['failed', 'cancelled', 'interrupted'].includes(data().runs[id]?.state))
      for (const id of ids) if (!batch.runIds.includes(id)) throw fail(`run ${id} is not in this batch`, 'invalid-input')
      await runner.start(batchId, ids)
      return runner.batchStatus(batch)
    },
    async listBatches({ taskId }) {
      return Object.values(data().batches)
        .filter((b) => !taskId || b.taskId === taskId)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .map((batch) => ({ batch, status: runner.batchStatus(batch) }))
    },
    async getBatch({ batchId }) {
      const batch = batchOf(batchId)
      return { batch, runs: batch.runIds.map((id) => data().runs[id]).filter(Boolean), status: runner.batchStatus(batch) }
    },
    async importSessions({ batchId, name, sessions }) {
      const batch: Batch = batchId
        ? batchOf(batchId)
        : { id: randomUUID(), name: name || `Imported sessions ${now().slice(0, 10)}`, createdAt: now(), settings: RunSettingsSchema.parse({}), runIds: [] }
      const runs: Run[] = []
      for (const s of sessions) {
        const found = await ctx.index.findSession(s.sessionId, s.projectId)
        const archived = data().archives[s.sessionId]
        if (!found && !archived) throw fail(`session not found: ${s.sessionId}`)
        if (batch.runIds.some((id) => data().runs[id]?.sessionId === s.sessionId)) continue
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
          progress: summary ? { turns: summary.turns, toolCalls: summary.toolCalls, tokens: totalTokens(summary.usage), costUsd: summary.costUsd, costSource: summary.costSource ?? 'estimated', elapsedMs: summary.durationMs } : emptyProgress(),
          files: [],
          screenshots: [],
          imported: true
        })
      }
      const next = { ...batch, runIds: [...batch.runIds, ...runs.map((r) => r.id)] }
      await store.update((d) => {
        d.batches[next.id] = next
        for (const r of runs) d.runs[r.id] = r
      })
      return next
    },
    async saveFeedback({ runId, label, text }) {
      if (!data().runs[runId]) throw fail(`no such run: ${runId}`)
      await store.update((d) => void (d.runs[runId].feedback = { label, text, updatedAt: now() }))
      return data().runs[runId]
    },
    async exportFeedback({ batchId }) {
      const runs = batchOf(batchId).runIds.map((id) => data().runs[id]).filter(Boolean)
      const graded = runs.filter((r) => r.feedback?.label)
      return { text: graded.map((r) => formatFeedbackLine(r.number, r.feedback!)).join('\n') + (graded.length ? '\n' : ''), graded: graded.length, total: runs.length }
    },
    async importFeedback({ batchId, text }) {
      const runs = batchOf(batchId).runIds.map((id) => data().runs[id]).filter(Boolean)
      const parsed = parseFeedback(text, runs.map((r) => r.number))
      if (parsed.errors.length) return { applied: 0, errors: parsed.errors }
      await store.update((d) => {
        const same = (x: string) => x.trim().replace(/\s+/g, ' ')
        for (const e of parsed.entries) {
          const run = runs.find((r) => r.number === e.number)!
          const had = d.runs[run.id].feedback
          // the same grade and sentence (one line folds whitespace): kept as it was, its time too
          if (had?.label === e.label && same(had.text) === same(e.text)) continue
          d.runs[run.id].feedback = { label: e.label, text: e.text, updatedAt: now() }
        }
      })
      return { applied: parsed.entries.length, errors: [] }
    },
    retakeScreenshots: ({ runId }) => runner.retakeScreenshots(runId),
    async getScreenshot({ runId, file }) {
      const dir = join(store.dataDir, 'runs', runId, 'screenshots')
      const path = resolve(file)
      if (!data().runs[runId] || !isInside(path, dir) || !path.endsWith('.png')) throw fail('refused: not a screenshot of this run', 'forbidden')
      const buf = await readFile(path)
      return { dataUrl: `data:image/png;base64,${buf.toString('base64')}` }
    }
  }
}
