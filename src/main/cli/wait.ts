/**
 * Waiting for long work through the contract: a batch's runs, an analysis, a verification. Each is
 * asked for its state when an event says it may have ended (and every few seconds besides, so a
 * missed event or a dropped stream never leaves a command waiting for good).
 */
import type { EventName, EventPayload, IndexTotals } from '../../shared/contract'
import type { Analysis } from '../../shared/analysis'
import type { Run } from '../../shared/runs'
import { graderGrades, type VerificationView } from '../../shared/verify'
import type { Client } from './client'
import { call, runsOf } from './common'

const FINISHED: Run['state'][] = ['done', 'failed', 'cancelled', 'interrupted']
const ENDED: Analysis['state'][] = ['done', 'failed', 'cancelled', 'interrupted']
/** how often the state is asked for when no event has said anything */
const EVERY_MS = 3000

/** Resolves once `ended` says so, asked again at each event `maybe` picks out. */
export async function until(client: Client, maybe: (event: EventName, payload: unknown) => boolean, ended: () => Promise<boolean>) {
  let asking: Promise<boolean> | null = null
  let again = false
  return new Promise<void>((resolve, reject) => {
    const ask = () => {
      if (asking) {
        again = true
        return
      }
      asking = ended()
      asking.then(
        (yes) => {
          asking = null
          if (yes) return finish()
          if (again) {
            again = false
            ask()
          }
        },
        (err) => {
          finish()
          reject(err)
        }
      )
    }
    const off = client.on((event, payload) => void (maybe(event, payload) && ask()))
    const timer = setInterval(ask, EVERY_MS)
    const finish = () => {
      off()
      clearInterval(timer)
      resolve()
    }
    ask()
  })
}

const finished = (runs: Pick<Run, 'state'>[]) => runs.every((r) => FINISHED.includes(r.state))

/** Every run of the batch has finished (done, failed, cancelled or interrupted). */
export const batchEnded = (client: Client, batchId: string) =>
  until(
    client,
    (event, payload) =>
      event === 'runProgress' &&
      (payload as { run: Run }).run.batchId === batchId &&
      FINISHED.includes((payload as { run: Run }).run.state),
    async () => finished(await runsOf(client, batchId))
  )

/** The analysis has ended (done, failed, cancelled or interrupted). */
export const analysisEnded = (client: Client, analysisId: string) =>
  until(
    client,
    (event, payload) => event === 'analysisProgress' && (payload as { analysis: Analysis }).analysis.id === analysisId,
    async () => ENDED.includes((await call<Analysis>(client, 'getAnalysis', { analysisId })).state)
  )

/** The grader's measurement has ended (done, failed, cancelled or interrupted). */
export const graderEnded = (client: Client, graderId: string) =>
  until(
    client,
    (event, payload) => event === 'graderProgress' && (payload as { grader: { id: string } }).grader.id === graderId,
    async () => (await call<{ state: string }>(client, 'getGrader', { graderId })).state !== 'running'
  )

/** The batch's pre-grading has ended. */
export const pregradeEnded = (client: Client, batchId: string) =>
  until(
    client,
    (event, payload) => event === 'pregradeProgress' && (payload as { pregrade: { batchId: string } }).pregrade.batchId === batchId,
    async () => (await call<{ state: string } | null>(client, 'getPregrade', { batchId }))?.state !== 'running'
  )

/** Nothing of the verification runs any more: its variations written (or not), its runs finished, its explanations done. */
export function verificationEnded(client: Client, verificationId: string) {
  let batchId: string | undefined
  return until(
    client,
    (event, payload) =>
      (event === 'verificationProgress' && (payload as { verification: { id: string } }).verification.id === verificationId) ||
      (event === 'runProgress' &&
        !!batchId &&
        (payload as { run: Run }).run.batchId === batchId &&
        FINISHED.includes((payload as { run: Run }).run.state)),
    async () => {
      const v = (await call<VerificationView>(client, 'getVerification', { verificationId })).verification
      batchId = v.batchId
      if (v.phase === 'generating' || v.phase === 'building') return false
      if (Object.values(v.explanations).some((e) => e.state === 'running')) return false
      if (!v.batchId) return true
      // graded by the grader: until it has graded (or stopped)
      if (graderGrades(v) && (!v.autoGrade || v.autoGrade.state === 'waiting' || v.autoGrade.state === 'running')) return false
      return finished(await runsOf(client, v.batchId))
    }
  )
}

/** Indexes every session (the app's indexing operation, or the one already going) and gives its totals once it has ended. */
export async function indexEnded(client: Client): Promise<IndexTotals> {
  // the events of every indexing, until this one's id is known (its first ones may come before)
  const seen = new Map<string, EventPayload<'indexProgress'>>()
  let wake = () => {}
  const off = client.on((event, payload) => {
    if (event !== 'indexProgress') return
    const p = payload as EventPayload<'indexProgress'>
    if (p.phase === 'done' || p.phase === 'cancelled' || p.phase === 'failed') seen.set(p.jobId, p)
    wake()
  })
  try {
    await client.ready()
    const { jobId } = await call<{ jobId: string }>(client, 'startIndex', {})
    for (;;) {
      const end = seen.get(jobId)
      if (end?.phase === 'failed') throw new Error(`indexing failed: ${end.error ?? 'no reason given'}`)
      if (end?.totals) return end.totals
      if (end) throw new Error('indexing was cancelled')
      await new Promise<void>((r) => (wake = r))
    }
  } finally {
    off()
  }
}
