/**
 * The rubric and the grader as use cases: build a task's rubric from a batch's sentences, edit it, and
 * measure the grader's agreement with the person by cross-validation, each model call inside an
 * operation (progress events, a cancel reaching every call, a measurement left running by a stopped app
 * marked interrupted at the next start). Electron-free.
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { DEFAULT_FOLDS } from '../../shared/agreement'
import { fail, type EventSink } from '../../shared/contract'
import type { GraderCheck, GraderEstimate, RubricView } from '../../shared/grading'
import { DEFAULT_ANALYST_MODEL } from '../../shared/models'
import type { Run } from '../../shared/runs'
import { errorFields, silentLog, type Log } from '../log/log'
import { loadOutputs, loadShots } from '../analysts/evidence'
import { apiModel, claudeCliModel, type ModelPort } from '../analysts/model'
import { appSecretsOf } from '../analysts/redaction'
import type { Operations } from '../operations/registry'
import type { Store } from '../store/store'
import { costUsd, isPriced } from '../traces/pricing'
import { crossValidate, plannedCalls, type GradedRun } from './cross-validate'
import { CALL_OVERHEAD, GRADE_FILES_CHARS, GRADE_OUTPUT, GRADE_SHOT_TOKENS, GRADE_SHOTS, gradePrompt, loadRunToGrade } from './grade'
import { createPregrading } from './pregrade'
import { buildAssertions, rubricPrompt, type Sentence } from './rubric'
import { editRubric, rubricIdOf, rubricView, saveBuilt, type RubricEdit } from './rubrics'

/** The model that writes rubrics and grades unless one is chosen. */
export const DEFAULT_GRADER_MODEL = DEFAULT_ANALYST_MODEL
/** Tokens a rubric's answer is expected to take. */
export const RUBRIC_OUTPUT = 1500

export interface GradingDeps {
  store: Store
  emit: EventSink
  operations: Operations
  apiAccess(): Promise<{ apiKey: string; baseURL?: string }>
  env: NodeJS.ProcessEnv
  /** tests: a model port instead of the real ones */
  port?: ModelPort
  log?: Log
  /** refuses a batch whose grades may not be read yet (a blind verification before its last grade) */
  readable?(batchId: string): void
}

export interface ModelChoice {
  via?: 'api' | 'claude-cli'
  model?: string
  claudePath?: string
}

const now = () => new Date().toISOString()

export function createGradingService(d: GradingDeps) {
  const log = d.log ?? silentLog()

  const portFor = async (via: ModelChoice['via'], claudePath?: string): Promise<ModelPort> => {
    if (d.port) return d.port
    if (via === 'claude-cli') return claudeCliModel({ claudePath, env: d.env })
    return apiModel(await d.apiAccess())
  }
  const redact = async () => ({
    literals: await appSecretsOf(d).catch(() => [])
  })

  /** A batch's graded runs, in order, and its task. */
  const gradedOf = async (batchId: string) => {
    d.readable?.(batchId)
    const doc = await d.store.batches.get(batchId)
    if (!doc) throw fail(`no such batch: ${batchId}`, 'not-found')
    const runs = d.store.batches.runsOf(doc).filter((r): r is Run & { feedback: { label: 'good' | 'bad' } } => !!r.feedback?.label)
    const task = doc.batch.taskId ? d.store.index.task(doc.batch.taskId) : undefined
    return { doc, runs, task: { name: task?.name ?? doc.batch.name, text: task?.text ?? '' } }
  }
  const sentences = (runs: Run[]): Sentence[] =>
    runs.map((r) => ({ number: r.number, label: r.feedback!.label!, text: r.feedback?.text ?? '' }))

  async function buildRubric(batchId: string, choice: ModelChoice = {}): Promise<RubricView> {
    const { runs, task } = await gradedOf(batchId)
    if (!runs.length) throw fail('No run of this batch is graded yet: grade some (good or bad, one sentence each) first.', 'invalid')
    if (d.operations.running('rubric', batchId).length) throw fail('A rubric is already being built from this batch.', 'busy')
    const model = choice.model ?? DEFAULT_GRADER_MODEL
    const port = await portFor(choice.via, choice.claudePath)
    const r = await redact()
    let view: RubricView | undefined
    const op = d.operations.start(
      {
        kind: 'rubric',
        subject: batchId,
        params: { via: choice.via ?? 'api', model, ...(choice.claudePath ? { claudePath: choice.claudePath } : {}) }
      },
      async (op) => {
        const built = await buildAssertions(port, model, task, sentences(runs), op.signal, r)
        op.signal.throwIfAborted()
        view = await saveBuilt(d.store, batchId, built.assertions, { model, costUsd: built.costUsd, fromRuns: runs.map((x) => x.number) })
        d.emit('rubricChanged', { rubric: view })
      }
    )
    const ended = await op.done
    if (ended.state === 'cancelled') throw fail('The rubric was not built: cancelled.', 'cancelled')
    if (!view)
      throw fail(ended.error ?? 'The rubric could not be built.', /rejected twice/.test(ended.error ?? '') ? 'bad-answer' : 'internal')
    return view
  }

  async function getRubric(batchId: string): Promise<RubricView | null> {
    if (!d.store.batches.has(batchId)) throw fail(`no such batch: ${batchId}`, 'not-found')
    const id = rubricIdOf(d.store, batchId)
    return id ? rubricView(d.store, id) : null
  }

  async function edit(rubricId: string, change: RubricEdit, baseVersionId?: string): Promise<RubricView> {
    const view = await editRubric(d.store, rubricId, change, baseVersionId)
    d.emit('rubricChanged', { rubric: view })
    return view
  }

  async function estimate(batchId: string, choice: ModelChoice & { folds?: number } = {}): Promise<GraderEstimate> {
    const { runs, task } = await gradedOf(batchId)
    const model = choice.model ?? DEFAULT_GRADER_MODEL
    const folds = Math.min(choice.folds ?? DEFAULT_FOLDS, runs.length)
    const all = sentences(runs)
    // each fold's rubric reads the other runs' sentences: about (folds - 1) / folds of them
    const rubricIn = folds ? Math.ceil(((rubricPrompt(task, all).length / 4) * (folds - 1)) / folds) + CALL_OVERHEAD : 0
    let gradeIn = 0
    for (const r of runs) {
      const outputs = await loadOutputs(r).catch(() => [])
      const shots = await loadShots(r, join(d.store.dataDir, 'runs', r.id, 'screenshots')).catch(() => [])
      const text = gradePrompt({ id: r.id, number: r.number, prompt: r.prompt, result: r.result, outputs, images: [] }, [])
      // the rubric's assertions: about 25 tokens each, about one per two sentences
      gradeIn +=
        Math.min(text.length, GRADE_FILES_CHARS + 4000) / 4 +
        Math.min(shots.length, GRADE_SHOTS) * GRADE_SHOT_TOKENS +
        CALL_OVERHEAD +
        Math.ceil(all.length / 2) * 25
    }
    const inputTokens = Math.round(rubricIn * folds + gradeIn)
    const outputTokens = RUBRIC_OUTPUT * folds + GRADE_OUTPUT * runs.length
    const usd = isPriced(model) ? costUsd(model, { input: inputTokens, output: outputTokens, cacheRead: 0, cacheCreation: 0 }) : null
    return {
      batchId,
      model,
      runs: runs.length,
      folds,
      calls: runs.length >= 2 ? plannedCalls(runs.length, folds) : 0,
      inputTokens,
      outputTokens,
      usd,
      basis: `${folds} rubrics rebuilt (each from the other folds' sentences) and ${runs.length} runs graded from their files, answers and up to ${GRADE_SHOTS} screenshots each; about ${RUBRIC_OUTPUT} tokens per rubric and ${GRADE_OUTPUT} per grade answered; a retry would add a call`
    }
  }

  const save = async (c: GraderCheck, progress = false) => {
    if (progress) d.store.graders.progress(c)
    else await d.store.graders.put(c)
    d.emit('graderProgress', { grader: c })
  }

  async function start(batchId: string, choice: ModelChoice & { folds?: number } = {}): Promise<GraderCheck> {
    const { doc, runs, task } = await gradedOf(batchId)
    if (runs.length < 2)
      throw fail(
        `The grader is measured on the person's own grades: at least 2 graded runs are needed (this batch has ${runs.length}).`,
        'invalid'
      )
    if (d.operations.running('grader', batchId).length)
      throw fail("The grader's agreement is already being measured on this batch.", 'busy')
    const model = choice.model ?? DEFAULT_GRADER_MODEL
    const via = choice.via ?? 'api'
    const port = await portFor(via, choice.claudePath)
    const r = await redact()
    const folds = choice.folds ?? DEFAULT_FOLDS
    const check: GraderCheck = {
      id: randomUUID(),
      batchId,
      ...(doc.batch.taskId ? { taskId: doc.batch.taskId } : {}),
      via,
      model,
      folds,
      state: 'running',
      createdAt: now(),
      progress: { done: 0, total: plannedCalls(runs.length, folds), step: 'starting' },
      costUsd: 0
    }
    await save(check)
    const graded: GradedRun[] = runs.map((run) => ({
      id: run.id,
      number: run.number,
      label: run.feedback.label,
      text: run.feedback.text ?? '',
      load: () => loadRunToGrade(run, d.store.dataDir)
    }))
    d.operations.start(
      {
        kind: 'grader',
        subject: batchId,
        params: { graderId: check.id, via, model, folds, ...(choice.claudePath ? { claudePath: choice.claudePath } : {}) }
      },
      async (op) => {
        const c = (await d.store.graders.get(check.id)) ?? check
        try {
          const { report, costUsd } = await crossValidate({
            port,
            model,
            task,
            runs: graded,
            folds,
            signal: op.signal,
            redact: r,
            onProgress: (p) => void save({ ...c, progress: { done: p.done, total: p.total, step: p.step }, costUsd: p.costUsd }, true)
          })
          const latest = (await d.store.graders.get(check.id)) ?? c
          await save({ ...latest, state: 'done', endedAt: now(), report, costUsd, progress: { ...latest.progress, step: 'done' } })
        } catch (err) {
          const latest = (await d.store.graders.get(check.id)) ?? c
          const cancelled = op.signal.aborted
          await save({
            ...latest,
            state: cancelled ? 'cancelled' : 'failed',
            endedAt: now(),
            error: cancelled ? 'cancelled' : ((err as Error)?.message ?? String(err)).split('\n')[0]
          }).catch((e) => log.error({ graderId: check.id, error: errorFields(e) }, "a grader's end could not be saved"))
          throw err
        }
      }
    )
    return check
  }

  async function get(graderId: string): Promise<GraderCheck> {
    const c = await d.store.graders.get(graderId)
    if (!c) throw fail(`no such measurement of the grader: ${graderId}`, 'not-found')
    return c
  }

  return {
    pregrade: createPregrading(d, { portFor, redact, model: DEFAULT_GRADER_MODEL }),
    buildRubric,
    getRubric,
    edit,
    estimate,
    start,
    get,
    /** The newest measurement on a batch (null: none yet). */
    async latest(batchId: string): Promise<GraderCheck | null> {
      const id = d.store.graders.ofBatch(batchId)[0]
      return id ? get(id) : null
    },
    cancel(graderId: string): boolean {
      const op = d.operations.running('grader').find((o) => o.params.graderId === graderId)
      return op ? d.operations.cancel(op.id) : false
    },
    cancelRubric(batchId: string): boolean {
      const op = d.operations.running('rubric', batchId)[0]
      return op ? d.operations.cancel(op.id) : false
    },
    /** Resolves when nothing is measuring the grader on this batch (tests and the CLI). */
    idle: (batchId: string) => d.operations.whenSettled('grader', batchId),
    /** At start-up: a measurement a stopped app left running is marked interrupted (run it again: nothing partial is kept); pre-grading left running keeps the grades it had made. */
    async recover(): Promise<number> {
      let n = 0
      for (const batchId of d.store.pregrades.running()) {
        const p = await d.store.pregrades.get(batchId)
        if (!p || p.state !== 'running') continue
        await d.store.pregrades.put({
          ...p,
          state: 'interrupted',
          endedAt: now(),
          error: 'interrupted: the app stopped; pre-grade again for the rest'
        })
        n++
      }
      for (const id of d.store.graders.running()) {
        const c = await d.store.graders.get(id)
        if (!c || c.state !== 'running') continue
        await d.store.graders.put({ ...c, state: 'interrupted', endedAt: now(), error: 'interrupted: the app stopped; measure again' })
        n++
      }
      return n
    }
  }
}

export type GradingService = ReturnType<typeof createGradingService>
