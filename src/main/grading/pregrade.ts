/**
 * Pre-grading: the grader grades the runs of a batch the person has not graded (a blind verification's
 * deck too: it is given what the person sees of each run, never its arm), with the task's rubric as it
 * now is; its grades are kept apart from the person's until confirmed or flipped. Also what the grader
 * works from everywhere: the task's rubric (or a clear error) and its last measured agreement. Electron-free.
 */
import { fail } from '../../shared/contract'
import type { Assertion, GraderCheck, Pregrade, PregradeEntry, RunGrade } from '../../shared/grading'
import type { RedactOptions } from '../../shared/redact'
import type { Run } from '../../shared/runs'
import type { ModelPort } from '../analysts/model'
import type { Store } from '../store/store'
import { acceptSure, undoAccept } from './accept'
import { isAppError } from './errors'
import { gradeRun, loadRunToGrade } from './grade'
import { rubricIdOf, rubricView } from './rubrics'
import type { GradingDeps, ModelChoice } from './service'

/** Grades at once. */
const GRADERS_AT_ONCE = 3
const now = () => new Date().toISOString()

/** The refusal when a batch's task has no rubric (or the batch no task). */
export function noRubric(store: Store, batchId: string): Error {
  const taskId = store.batches.head(batchId)?.taskId
  const verification = store.verifications.ofBatch(batchId)
  if (!taskId && verification)
    return fail(
      "This verification has no task (its skill was not learned from a task's batch), so there is no rubric to grade with: build a rubric from a graded batch of the skill's task first (trace2skill rubric <batch>).",
      'invalid'
    )
  return fail(
    `${verification ? "This verification's task" : 'This task'} has no rubric yet: build it from a graded batch first (trace2skill rubric <batch>).`,
    'invalid'
  )
}

/** The task's rubric as it now is, for grading this batch's runs (refused with `noRubric` when there is none). */
export async function rubricFor(store: Store, batchId: string) {
  const rubricId = rubricIdOf(store, batchId)
  if (!rubricId) throw noRubric(store, batchId)
  return rubricView(store, rubricId)
}

/**
 * The newest finished measurement of the grader on this batch, or else on any batch of its task (a
 * verification's batch is never measured itself: its task's figures are the grader's).
 */
export async function lastMeasured(store: Store, batchId: string): Promise<GraderCheck | undefined> {
  const taskId = store.batches.head(batchId)?.taskId
  const ofTask = taskId ? store.graders.newest().filter((id) => store.batches.head(store.graders.head(id)!.batchId)?.taskId === taskId) : []
  for (const id of [...store.graders.ofBatch(batchId), ...ofTask]) {
    const g = await store.graders.get(id)
    if (g?.state === 'done' && g.report) return g
  }
  return undefined
}

/** A measurement's figures, as a pre-grade and a report carry them. */
export const figuresOf = (g: GraderCheck | undefined): Pregrade['measured'] =>
  g?.report
    ? { graderId: g.id, trusted: g.report.trust.trusted, accuracy: g.report.agreement.accuracy, kappa: g.report.agreement.kappa }
    : null

/**
 * Grade runs a few at a time: each grade (or a run whose answer did not fit twice: `failed`) reported as
 * it comes; a cancel stops them; another failure stops them and is thrown.
 */
export async function gradeEach(
  o: {
    port: ModelPort
    model: string
    dataDir: string
    assertions: Assertion[]
    signal: AbortSignal
    redact: RedactOptions
    onGrade(run: Run, grade: RunGrade, costUsd: number): Promise<void>
    onFailed(run: Run, error: string, costUsd: number): Promise<void>
  },
  runs: Run[]
): Promise<void> {
  let next = 0
  let failure: unknown
  const worker = async () => {
    while (next < runs.length && !o.signal.aborted && !failure) {
      const run = runs[next++]
      try {
        const got = await gradeRun(o.port, o.model, await loadRunToGrade(run, o.dataDir), o.assertions, o.signal, o.redact)
        await o.onGrade(run, got.grade, got.costUsd)
      } catch (err) {
        if (o.signal.aborted) return
        if (!isAppError(err, 'bad-answer')) {
          failure ??= err
          return
        }
        await o.onFailed(run, (err as Error).message, (err as { costUsd?: number }).costUsd ?? 0)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(GRADERS_AT_ONCE, runs.length) }, worker))
  if (failure && !o.signal.aborted) throw failure
}

export function createPregrading(
  d: GradingDeps,
  tools: { portFor(via: ModelChoice['via'], claudePath?: string): Promise<ModelPort>; redact(): Promise<RedactOptions>; model: string }
) {
  /** The batch's pre-grades as they stand: a run the person has graded since is left out (the person's grade is the one). */
  async function pregradeOf(batchId: string): Promise<Pregrade | null> {
    const p = await d.store.pregrades.get(batchId)
    if (!p) return null
    const doc = await d.store.batches.get(batchId)
    const graded = new Set(
      doc
        ? d.store.batches
            .runsOf(doc)
            .filter((r) => r.feedback?.label)
            .map((r) => r.id)
        : []
    )
    return { ...p, grades: Object.fromEntries(Object.entries(p.grades).filter(([runId]) => !graded.has(runId))) }
  }

  const savePregrade = async (p: Pregrade) => {
    await d.store.pregrades.put(p)
    d.emit('pregradeProgress', { pregrade: p })
  }

  /** The grader grades the runs the person has not graded, with the task's rubric as it now is; its grades stay the grader's until confirmed. */
  async function startPregrade(batchId: string, choice: ModelChoice = {}): Promise<Pregrade> {
    // a blind verification's deck too: the person's grades are read only to leave the graded runs out
    const doc = await d.store.batches.get(batchId)
    if (!doc) throw fail(`no such batch: ${batchId}`, 'not-found')
    const rubric = await rubricFor(d.store, batchId)
    const todo = d.store.batches.runsOf(doc).filter((r) => !r.feedback?.label && r.state !== 'queued' && r.state !== 'running')
    if (!todo.length) throw fail('Every finished run of this batch is graded by you already: nothing to pre-grade.', 'invalid')
    if (d.operations.running('pregrade', batchId).length) throw fail('This batch is already being pre-graded.', 'busy')
    const model = choice.model ?? tools.model
    const via = choice.via ?? 'api'
    const port = await tools.portFor(via, choice.claudePath)
    const redact = await tools.redact()
    const before = await d.store.pregrades.get(batchId)
    let p: Pregrade = {
      batchId,
      rubricId: rubric.rubric.id,
      rubricVersionId: rubric.current.id,
      via,
      model,
      state: 'running',
      createdAt: now(),
      progress: { done: 0, total: todo.length },
      costUsd: 0,
      // earlier grades of runs not graded again now are kept (still unconfirmed)
      grades: Object.fromEntries(Object.entries(before?.grades ?? {}).filter(([id]) => !todo.some((t) => t.id === id))),
      failed: [],
      measured: figuresOf(await lastMeasured(d.store, batchId))
    }
    await savePregrade(p)
    // one change at a time to the batch's pre-grades (the grades come back in any order)
    let chain = Promise.resolve()
    const change = (fn: (x: Pregrade) => Pregrade) =>
      (chain = chain.then(async () => {
        p = fn(p)
        await savePregrade(p)
      }))
    d.operations.start(
      {
        kind: 'pregrade',
        subject: batchId,
        params: { via, model, rubricVersionId: rubric.current.id, ...(choice.claudePath ? { claudePath: choice.claudePath } : {}) }
      },
      async (op) => {
        let failure: unknown
        await gradeEach(
          {
            port,
            model,
            dataDir: d.store.dataDir,
            assertions: rubric.current.assertions,
            signal: op.signal,
            redact,
            onGrade: (run, grade, costUsd) =>
              change((x) => ({
                ...x,
                grades: { ...x.grades, [run.id]: { ...grade, at: now() } },
                costUsd: x.costUsd + costUsd,
                progress: { ...x.progress, done: x.progress.done + 1 }
              })),
            onFailed: (run, error, costUsd) =>
              change((x) => ({
                ...x,
                failed: [...x.failed, { number: run.number, error }],
                costUsd: x.costUsd + costUsd,
                progress: { ...x.progress, done: x.progress.done + 1 }
              }))
          },
          todo
        ).catch((err) => (failure = err))
        await chain
        const cancelled = op.signal.aborted
        await change((x) => ({
          ...x,
          state: cancelled ? 'cancelled' : failure ? 'failed' : 'done',
          endedAt: now(),
          ...(cancelled ? { error: 'cancelled' } : failure ? { error: ((failure as Error).message ?? String(failure)).split('\n')[0] } : {})
        }))
        if (failure && !cancelled) throw failure
      }
    )
    return p
  }

  /** The grader's grade of a run, to confirm or flip (the caller saves it as the person's, then `drop`). */
  async function pregradeOfRun(runId: string): Promise<{ batchId: string; entry: PregradeEntry }> {
    const batchId = d.store.batches.batchIdOfRun(runId)
    if (!batchId) throw fail(`no such run: ${runId}`, 'not-found')
    const p = await pregradeOf(batchId)
    const entry = p?.grades[runId]
    if (!entry) throw fail('The grader has not graded this run (or you have graded it since): nothing to confirm.', 'not-found')
    return { batchId, entry }
  }

  async function dropPregrade(batchId: string, runId: string): Promise<void> {
    const p = await d.store.pregrades.get(batchId)
    if (!p || !Object.hasOwn(p.grades, runId)) return
    const grades = { ...p.grades }
    delete grades[runId]
    await savePregrade({ ...p, grades })
  }

  return {
    start: startPregrade,
    get: pregradeOf,
    ofRun: pregradeOfRun,
    drop: dropPregrade,
    /** every sure pre-grade saved as the grader's grade at once (./accept.ts); the runs saved */
    acceptSure: async (batchId: string) => acceptSure(d, await pregradeOf(batchId), batchId),
    /** its undo, as one group (the stored pre-grades, graded runs' too: they are kept until confirmed) */
    undoAccept: async (batchId: string, runIds: string[]) => undoAccept(d, await d.store.pregrades.get(batchId), batchId, runIds),
    cancel(batchId: string): boolean {
      const op = d.operations.running('pregrade', batchId)[0]
      return op ? d.operations.cancel(op.id) : false
    }
  }
}
