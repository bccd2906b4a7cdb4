/**
 * How far the grader agrees with the person, by cross-validation on the person's own grades: the graded
 * runs are split into folds (deterministic from their ids); for each fold the rubric is rebuilt from the
 * sentences of the runs NOT in it, then the fold's runs are graded with that rubric. A run's own
 * sentence never reaches the rubric that judges it. Electron-free.
 */
import { agreementOf, DEFAULT_FOLDS, foldsOf, trustOf, type LabelPair } from '../../shared/agreement'
import { isAppError } from './errors'
import type { Disagreement, GraderReport, RunGrade } from '../../shared/grading'
import type { RedactOptions } from '../../shared/redact'
import type { ModelPort } from '../analysts/model'
import { gradeRun, type RunToGrade } from './grade'
import { buildAssertions, type Sentence } from './rubric'

/** A run the person graded: their label and sentence, and how to load what they saw. */
export interface GradedRun extends Sentence {
  id: string
  load(): Promise<RunToGrade>
}

export interface CrossValidateInput {
  port: ModelPort
  model: string
  task: { name: string; text: string }
  runs: GradedRun[]
  folds?: number
  signal: AbortSignal
  /** after each model call's answer: calls done of those planned, and what was done */
  onProgress?(p: { done: number; total: number; step: string; costUsd: number }): void
  redact?: RedactOptions
  /** grading calls at once within a fold */
  concurrency?: number
}

/** Model calls a cross-validation makes: one rubric per fold, one grade per run (retries aside). */
export const plannedCalls = (runs: number, folds = DEFAULT_FOLDS) => Math.min(folds, runs) + runs

export async function crossValidate(input: CrossValidateInput): Promise<{ report: GraderReport; costUsd: number }> {
  const { port, model, task, runs, signal } = input
  if (runs.length < 2)
    throw Object.assign(new Error(`cross-validation needs at least 2 graded runs (this batch has ${runs.length})`), { code: 'invalid' })
  const folds = foldsOf(
    runs.map((r) => r.id),
    input.folds ?? DEFAULT_FOLDS
  )
  const byId = new Map(runs.map((r) => [r.id, r]))
  const total = folds.length + runs.length
  let done = 0
  let cost = 0
  const tick = (step: string) => input.onProgress?.({ done: ++done, total, step, costUsd: cost })
  const grades: (RunGrade & { fold: number })[] = []
  const failed: GraderReport['failed'] = []
  const foldInfo: GraderReport['folds'] = []
  /** each fold's assertions, by id (unique across folds) */
  const textOf = new Map<string, string>()

  for (const [i, ids] of folds.entries()) {
    signal.throwIfAborted()
    const held = new Set(ids)
    const inFold = ids.map((id) => byId.get(id)!).sort((a, b) => a.number - b.number)
    const training = runs.filter((r) => !held.has(r.id)).map(({ number, label, text }) => ({ number, label, text }))
    let assertions
    try {
      const built = await buildAssertions(port, model, task, training, signal, input.redact)
      cost += built.costUsd
      assertions = built.assertions
    } catch (err) {
      if (signal.aborted || !isAppError(err, 'bad-answer')) throw err
      cost += (err as { costUsd?: number }).costUsd ?? 0
      for (const r of inFold) failed.push({ number: r.number, error: `fold ${i + 1}'s rubric: ${(err as Error).message}` })
      foldInfo.push({ runs: inFold.map((r) => r.number), assertions: 0 })
      done += inFold.length
      tick(`fold ${i + 1}: no rubric`)
      continue
    }
    for (const a of assertions) textOf.set(a.id, a.text)
    foldInfo.push({ runs: inFold.map((r) => r.number), assertions: assertions.length })
    tick(`fold ${i + 1} of ${folds.length}: rubric of ${assertions.length} assertions from ${training.length} runs`)
    let next = 0
    const worker = async () => {
      while (next < inFold.length) {
        const r = inFold[next++]
        signal.throwIfAborted()
        try {
          const view = await r.load()
          const got = await gradeRun(port, model, view, assertions, signal, input.redact)
          cost += got.costUsd
          grades.push({ ...got.grade, fold: i + 1 })
          tick(`run ${r.number} graded ${got.grade.label}`)
        } catch (err) {
          if (signal.aborted || !isAppError(err, 'bad-answer')) throw err
          cost += (err as { costUsd?: number }).costUsd ?? 0
          failed.push({ number: r.number, error: (err as Error).message })
          tick(`run ${r.number} not graded`)
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(input.concurrency ?? 3, inFold.length) }, worker))
  }

  grades.sort((a, b) => a.number - b.number)
  const pairs: LabelPair[] = grades.map((g) => ({ person: byId.get(g.runId)!.label, grader: g.label }))
  const agreement = agreementOf(pairs)
  const disagreements: Disagreement[] = grades
    .filter((g) => byId.get(g.runId)!.label !== g.label)
    .map((g) => {
      const person = byId.get(g.runId)!
      return {
        runId: g.runId,
        number: g.number,
        person: person.label,
        personText: person.text,
        grader: g.label,
        reason: g.reason,
        verdicts: g.verdicts.map((v) => ({ ...v, text: textOf.get(v.assertionId) ?? '' })),
        fold: g.fold
      }
    })
  failed.sort((a, b) => a.number - b.number)
  const trust = trustOf(agreement)
  if (failed.length)
    trust.reasons.push(`${failed.length} run${failed.length === 1 ? ' was' : 's were'} not graded (the model's answer did not fit twice)`)
  return {
    report: {
      folds: foldInfo,
      agreement,
      trust: { trusted: trust.trusted && !failed.length, reasons: trust.reasons },
      disagreements,
      grades: grades.map(({ fold: _fold, ...g }) => g),
      failed
    },
    costUsd: cost
  }
}
