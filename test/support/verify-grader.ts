/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * For the verification's grader (issue 21): one scripted model answering both the runs (verifyScript)
 * and the grader (a grade from the page it is shown: the cluttered one, with its deal cards, is bad,
 * as the person grades it), keeping every grader request to look at; and a task's rubric and a
 * measurement of the grader planted straight in the store.
 */
import { randomUUID } from 'node:crypto'
import type { Service } from '../../src/main/app/service'
import { saveBuilt } from '../../src/main/grading/rubrics'
import type { GraderCheck } from '../../src/shared/grading'
import { textOf, toolOf } from './grader-script'
import type { Reply, Script } from './model-server'
import { skilledPrompt, verifyScript } from './verify-script'

/** Two pasted variations the scripted agent passes with the skill (a dentist) and fails at (a night club, adversarial). */
export const GRADER_PASTED = [
  { difficulty: 'normal' as const, prompt: skilledPrompt('fixed', 'pasted: a dentist') },
  { difficulty: 'adversarial' as const, prompt: skilledPrompt('trap', 'pasted: a night club') }
]

/**
 * `graderDelayMs`: asked at each grade, how long its answer waits (a cancel while the grader grades);
 * `onGrade`: told of each grade asked for; `unsureOf`: given the request's text, whether the grader
 * answers `sure: false` (with a doubt) instead of `sure: true`.
 */
export function verifyGraderScript(
  o: { graderDelayMs?: () => number; onGrade?: () => void; unsureOf?: (text: string) => boolean } = {}
): Script & { graderRequests: any[] } {
  const runs = verifyScript()
  const graderRequests: any[] = []
  const script = ((req) => {
    if (toolOf(req.body) !== 'grade_output') return runs(req)
    graderRequests.push(req.body)
    o.onGrade?.()
    const text = textOf(req.body)
    const keys = [...text.matchAll(/^\[(A\d+)\] /gm)].map((m) => m[1])
    const label = text.includes('Deal 1') ? 'bad' : 'good'
    return {
      delayMs: o.graderDelayMs?.() || undefined,
      toolUses: [
        {
          name: 'grade_output',
          input: {
            verdicts: keys.map((k) => ({
              assertion_id: k,
              verdict: label === 'good' ? 'pass' : 'fail',
              evidence: 'the cards on the page'
            })),
            label,
            reason: label === 'good' ? 'three clean cards' : 'a grid of loud deal cards',
            ...(o.unsureOf ? (o.unsureOf(text) ? { sure: false, doubt: 'the screenshot is cut above the cards' } : { sure: true }) : {})
          }
        }
      ]
    } satisfies Reply
  }) as Script & { graderRequests: any[] }
  script.graderRequests = graderRequests
  return script
}

/** A task with variations, a batch of it (not run), its rubric, and (unless `measured: false`) a finished measurement of the grader on it. */
export async function plantTaskWithRubric(service: Service, o: { measured?: boolean } = {}) {
  const task = await service.handlers.saveTask({ name: 'Landing page', text: 'Build a landing page.' })
  await service.handlers.saveVariations({ taskId: task.id, variations: [{ difficulty: 'normal', prompt: 'a page' }] })
  const batch = await service.handlers.createBatch({
    taskId: task.id,
    settings: { concurrency: 1, maxTurns: 5, permission: 'accept-edits' } as never
  })
  const rubric = await saveBuilt(
    service.store,
    batch.id,
    [{ id: 'a-1', text: 'At most three cards on the page, no deal cards', runs: [], by: 'person' }],
    { model: 'scripted', costUsd: 0, fromRuns: [] }
  )
  if (o.measured !== false) {
    const check: GraderCheck = {
      id: randomUUID(),
      batchId: batch.id,
      taskId: task.id,
      via: 'api',
      model: 'scripted',
      folds: 5,
      state: 'done',
      createdAt: new Date().toISOString(),
      progress: { done: 17, total: 17, step: 'done' },
      costUsd: 0,
      report: {
        folds: [],
        agreement: { n: 12, agreed: 10, accuracy: 10 / 12, kappa: 2 / 3, confusion: { goodGood: 5, goodBad: 1, badGood: 1, badBad: 5 } },
        trust: { trusted: true, reasons: [] },
        disagreements: [],
        grades: [],
        failed: []
      }
    }
    await service.store.graders.put(check)
  }
  return { taskId: task.id, batchId: batch.id, rubric }
}
