/**
 * What keeps the cache current: the events main pushes (each one updates the entries it concerns,
 * with setQueryData, or marks them stale) and what each mutation changes. Views never patch copies
 * of their own; they read the cache, and this file is the one place that writes it.
 */
import type { QueryClient } from '@tanstack/react-query'
import type { Api, EventPayload, Notice, RequestInput, RequestOutput } from '@shared/contract'
import type { Analysis } from '@shared/analysis'
import { isFinished, type Run } from '@shared/runs'
import type { SessionSummary } from '@shared/trace'
import type { Skill } from '@shared/skills'
import { runsStage, type Verification } from '@shared/verify'
import { apiKey, apiKeyPrefix, eventKey, type WriteName } from './keys'
import { putOptimisation, putTriggerMeasure, putTriggersProgress, putTriggersView, triggersChanged } from './triggers-cache'

type BatchView = RequestOutput<'getBatch'>
type BatchList = RequestOutput<'listBatches'>
type VerificationView = RequestOutput<'getVerification'>

const byNumber = (a: Run, b: Run) => a.number - b.number

/** A run as it changed, into its batch (its feedback stays as the deck last set it: see ReviewDeck). */
export function putRun(client: QueryClient, run: Run, opts: { keepFeedback?: boolean } = {}): void {
  let stateChanged = true
  client.setQueryData<BatchView>(apiKey('getBatch', { batchId: run.batchId }), (old) => {
    if (!old) return old
    const prev = old.runs.find((r) => r.id === run.id)
    stateChanged = !prev || prev.state !== run.state
    const next = opts.keepFeedback && prev ? { ...run, feedback: prev.feedback ?? run.feedback } : run
    const runs = prev ? old.runs.map((r) => (r.id === run.id ? next : r)) : [...old.runs, next].sort(byNumber)
    return { ...old, runs }
  })
  // a run that has finished (or is run again) changes the batch's signals
  if (stateChanged && isFinished(run.state))
    void client.invalidateQueries({ queryKey: apiKeyPrefix('getSignals', { batchId: run.batchId }) })
  else if (stateChanged)
    void client.invalidateQueries({ queryKey: apiKeyPrefix('getSignals', { batchId: run.batchId }), refetchType: 'none' })
  // ... and the report of the verification whose runs they are (its live counts come with batchProgress)
  if (runStateChanged(client, run)) refreshVerifications(client, run.batchId, true)
}

/** The last state pushed per run (whether its batch is cached or not), so only a change of state reads a report again. */
const runStates = new WeakMap<QueryClient, Map<string, Run['state']>>()
function runStateChanged(client: QueryClient, run: Run): boolean {
  let states = runStates.get(client)
  if (!states) runStates.set(client, (states = new Map()))
  const before = states.get(run.id)
  states.set(run.id, run.state)
  return before !== run.state
}

/** The grade the person gave a run, into the cache at once (it is saved in the background). */
export function putFeedback(
  client: QueryClient,
  batchId: string,
  runId: string,
  feedback: { label: 'good' | 'bad' | null; text: string }
): void {
  client.setQueryData<BatchView>(apiKey('getBatch', { batchId }), (old) =>
    old
      ? {
          ...old,
          runs: old.runs.map((r) => (r.id === runId ? { ...r, feedback: { ...feedback, updatedAt: new Date().toISOString() } } : r))
        }
      : old
  )
  // what grades say about the batch is worked out again when a view that shows it opens
  void client.invalidateQueries({ queryKey: apiKeyPrefix('getSignals', { batchId }), refetchType: 'none' })
  void client.invalidateQueries({ queryKey: apiKeyPrefix('estimateAnalysis', { batchId }), refetchType: 'none' })
  void client.invalidateQueries({ queryKey: apiKeyPrefix('exportFeedback', { batchId }), refetchType: 'none' })
  // a run the person grades is no longer the grader's to pre-grade
  void client.invalidateQueries({ queryKey: apiKeyPrefix('getPregrade', { batchId }) })
  refreshVerifications(client, batchId, false)
}

function putStatus(client: QueryClient, status: EventPayload<'batchProgress'>): void {
  client.setQueryData<BatchView>(apiKey('getBatch', { batchId: status.batchId }), (old) => (old ? { ...old, status } : old))
  client.setQueriesData<BatchList>({ queryKey: apiKeyPrefix('listBatches') }, (list) =>
    list?.map((x) => (x.batch.id === status.batchId ? { ...x, status } : x))
  )
  // a verification's batch: its counts and cost so far, at once (no request per event)
  const patch = (view: VerificationView | undefined) =>
    view?.verification.batchId === status.batchId ? verificationStatusFrom(view, status) : view
  client.setQueriesData<VerificationView>({ queryKey: apiKeyPrefix('getVerification') }, patch)
  client.setQueriesData<VerificationView[]>({ queryKey: apiKeyPrefix('listVerifications') }, (list) =>
    list?.some((v) => v.verification.batchId === status.batchId) ? list.map((v) => patch(v)!) : list
  )
}

/** A verification's status with its batch's counts (the stage by the same rule as main's, runsStage). */
export function verificationStatusFrom(view: VerificationView, s: EventPayload<'batchProgress'>): VerificationView {
  const unfinished = s.failed + s.cancelled + s.interrupted
  const finished = s.done + unfinished
  const stage =
    view.verification.phase !== 'created'
      ? view.status.stage
      : runsStage({ runs: s.total, queued: s.queued, running: s.running, collecting: s.collecting, graded: view.status.graded })
  return {
    ...view,
    status: {
      ...view.status,
      stage,
      runs: s.total,
      queued: s.queued,
      running: s.running,
      collecting: s.collecting,
      finished,
      unfinished,
      costUsd: s.costUsd
    }
  }
}

/** The verifications (as the cache knows them) whose runs are this batch's. */
function verificationsOfBatch(client: QueryClient, batchId: string): string[] {
  const ids = new Set<string>()
  const batch = client.getQueryData<BatchView>(apiKey('getBatch', { batchId }))
  if (batch?.verificationId) ids.add(batch.verificationId)
  for (const [, v] of client.getQueriesData<VerificationView>({ queryKey: apiKeyPrefix('getVerification') }))
    if (v?.verification.batchId === batchId) ids.add(v.verification.id)
  for (const [, list] of client.getQueriesData<VerificationView[]>({ queryKey: apiKeyPrefix('listVerifications') }))
    for (const v of list ?? []) if (v.verification.batchId === batchId) ids.add(v.verification.id)
  return [...ids]
}

/**
 * A run of a verification's batch finished, was run again or was graded: its report is read again
 * (`now`: at once where it is shown; else when a view that shows it opens).
 */
function refreshVerifications(client: QueryClient, batchId: string, now: boolean): void {
  const ids = verificationsOfBatch(client, batchId)
  if (!ids.length) return
  const refetchType = now ? 'active' : 'none'
  for (const verificationId of ids)
    void client.invalidateQueries({ queryKey: apiKeyPrefix('getVerification', { verificationId }), refetchType })
  void client.invalidateQueries({ queryKey: apiKeyPrefix('listVerifications'), refetchType })
}

/** A verification as it changed (pushed, or answered by a mutation), into every entry that shows it. */
function putVerification(client: QueryClient, v: Verification): void {
  const key = apiKey('getVerification', { verificationId: v.id })
  const before = client.getQueryData<VerificationView>(key)
  // as the cache knew it: its own entry, or a list's (the composer lists a skill's confirmations)
  const prev =
    before?.verification ??
    client
      .getQueriesData<VerificationView[]>({ queryKey: apiKeyPrefix('listVerifications') })
      .flatMap(([, list]) => list ?? [])
      .find((x) => x.verification.id === v.id)?.verification
  // a new phase (or its batch made), or the grader's grading ended, changes where it is and its report: those are read again
  const moved =
    !!prev &&
    (prev.phase !== v.phase ||
      prev.batchId !== v.batchId ||
      (prev.autoGrade?.state !== v.autoGrade?.state && v.autoGrade?.state === 'done'))
  if (before) client.setQueryData<VerificationView>(key, { ...before, verification: v })
  for (const [k, list] of client.getQueriesData<VerificationView[]>({ queryKey: apiKeyPrefix('listVerifications') })) {
    const input = (k[1] ?? {}) as RequestInput<'listVerifications'>
    if (!list || (input.skillId && input.skillId !== v.skillId)) continue
    if (list.some((x) => x.verification.id === v.id))
      client.setQueryData<VerificationView[]>(
        k,
        list.map((x) => (x.verification.id === v.id ? { ...x, verification: v } : x))
      )
    else void client.invalidateQueries({ queryKey: k })
  }
  if (moved) {
    void client.invalidateQueries({ queryKey: key })
    void client.invalidateQueries({ queryKey: apiKeyPrefix('listVerifications') })
  }
}

/** A verification with where it is and its report (a mutation's answer). */
function putVerificationView(client: QueryClient, view: VerificationView): void {
  client.setQueryData(apiKey('getVerification', { verificationId: view.verification.id }), view)
  client.setQueriesData<VerificationView[]>({ queryKey: apiKeyPrefix('listVerifications') }, (list) =>
    list?.map((x) => (x.verification.id === view.verification.id ? view : x))
  )
}

function putAnalysis(client: QueryClient, analysis: Analysis): void {
  const before = client.getQueryData<Analysis>(apiKey('getAnalysis', { analysisId: analysis.id }))
  client.setQueryData(apiKey('getAnalysis', { analysisId: analysis.id }), analysis)
  for (const [key, list] of client.getQueriesData<Analysis[]>({ queryKey: apiKeyPrefix('listAnalyses') })) {
    const input = (key[1] ?? {}) as RequestInput<'listAnalyses'>
    if (!list || (input.batchId && input.batchId !== analysis.batchId)) continue
    client.setQueryData<Analysis[]>(
      key,
      list.some((a) => a.id === analysis.id) ? list.map((a) => (a.id === analysis.id ? analysis : a)) : [analysis, ...list]
    )
  }
  // the merge made (or changed) a skill
  if (analysis.skillId && (before?.skillId !== analysis.skillId || before?.state !== analysis.state)) {
    void client.invalidateQueries({ queryKey: apiKeyPrefix('listSkills') })
    void client.invalidateQueries({ queryKey: apiKeyPrefix('getSkill', { skillId: analysis.skillId }) })
  }
}

function putSkill(client: QueryClient, view: RequestOutput<'getSkill'>): void {
  client.setQueryData(apiKey('getSkill', { skillId: view.skill.id }), view)
  client.setQueriesData<Skill[]>({ queryKey: apiKeyPrefix('listSkills') }, (list) =>
    list?.map((s) => (s.id === view.skill.id ? view.skill : s))
  )
}

function upsert<T extends { id: string }>(list: T[] | undefined, item: T): T[] | undefined {
  if (!list) return list
  return list.some((x) => x.id === item.id) ? list.map((x) => (x.id === item.id ? item : x)) : [...list, item]
}

/** Notices pushed since the start (the start-up ones come with getAppInfo); one per message. */
export function addNotice(client: QueryClient, notice: Notice): void {
  client.setQueryData<Notice[]>(eventKey.notices, (all = []) => (all.some((n) => n.message === notice.message) ? all : [...all, notice]))
}

/** Every pushed event, into the cache. Returns the unsubscribe. */
export function connectEvents(client: QueryClient, api: Pick<Api, 'on'>): () => void {
  const offs = [
    api.on('runProgress', ({ run }) => putRun(client, run, { keepFeedback: true })),
    api.on('batchProgress', (status) => putStatus(client, status)),
    api.on('analysisProgress', ({ analysis }) => putAnalysis(client, analysis)),
    api.on('verificationProgress', ({ verification }) => putVerification(client, verification)),
    api.on('sessionsChanged', ({ projectId, sessionIds }) => {
      void client.invalidateQueries({ queryKey: apiKeyPrefix('listSessions', { projectId }) })
      void client.invalidateQueries({ queryKey: apiKeyPrefix('searchSessions', { projectId }) })
      // an open trace is not redrawn under the reader; it is read again the next time it is opened
      for (const sessionId of sessionIds)
        void client.invalidateQueries({ queryKey: apiKeyPrefix('getTrace', { sessionId }), refetchType: 'none' })
    }),
    api.on('projectsChanged', () => void client.invalidateQueries({ queryKey: apiKeyPrefix('listProjects') })),
    api.on('indexProgress', (p) => client.setQueryData(eventKey.indexProgress, p)),
    api.on('notice', (n) => addNotice(client, n)),
    // a rubric belongs to a task: every batch's view of it is read again
    api.on('rubricChanged', () => void client.invalidateQueries({ queryKey: apiKeyPrefix('getRubric') })),
    api.on('graderProgress', ({ grader }) => void client.setQueryData(apiKey('latestGrader', { batchId: grader.batchId }), grader)),
    api.on('triggersProgress', (p) => putTriggersProgress(client, p)),
    api.on(
      'pregradeProgress',
      ({ pregrade }) => void client.invalidateQueries({ queryKey: apiKeyPrefix('getPregrade', { batchId: pregrade.batchId }) })
    )
  ]
  return () => offs.forEach((off) => off())
}

type Effect<N extends WriteName> = (client: QueryClient, input: RequestInput<N>, output: RequestOutput<N>) => void

const invalidate = (client: QueryClient, ...keys: readonly unknown[][]) =>
  keys.forEach((queryKey) => void client.invalidateQueries({ queryKey }))

/** Runs the grader's grades were saved on (or taken off) in one action: each into its batch, and the batch's pre-grades read again. */
function putGraderRuns(c: QueryClient, batchId: string, runs: Run[]) {
  for (const run of runs) {
    // what a grade changes (counts, signals, the verification), then the run as saved: its grade marked as the grader's
    putFeedback(c, run.batchId, run.id, { label: run.feedback?.label ?? null, text: run.feedback?.text ?? '' })
    putRun(c, run)
  }
  void c.invalidateQueries({ queryKey: apiKeyPrefix('getPregrade', { batchId }) })
}

/** What each mutation changes in the cache, once it has succeeded. */
export const effects: { [N in WriteName]?: Effect<N> } = {
  buildRubric: (c) => invalidate(c, [...apiKeyPrefix('getRubric')]),
  editRubric: (c) => invalidate(c, [...apiKeyPrefix('getRubric')]),
  startGrader: (c, i, out) => void c.setQueryData(apiKey('latestGrader', { batchId: i.batchId }), out),
  startPregrade: (c, i, out) => void c.setQueryData(apiKey('getPregrade', { batchId: i.batchId }), out),
  // confirmed (or flipped), the grader's grade is the person's: into the batch, and out of the pre-grades
  confirmPregrade: (c, _i, run) => {
    putRun(c, run)
    putFeedback(c, run.batchId, run.id, { label: run.feedback?.label ?? null, text: run.feedback?.text ?? '' })
  },
  // the sure pre-grades saved as the grader's (or that undone): into the batch, and the pre-grades read again
  acceptSurePregrades: (c, i, out) => putGraderRuns(c, i.batchId, out.runs),
  undoAcceptPregrades: (c, i, out) => putGraderRuns(c, i.batchId, out.runs),
  openFolder: (c) => invalidate(c, [...apiKeyPrefix('listProjects')]),
  pinSession: (c, _i, s) =>
    void c.setQueriesData<SessionSummary[]>({ queryKey: apiKeyPrefix('listSessions') }, (list) =>
      list?.map((x) => (x.sessionId === s.sessionId ? s : x))
    ),
  saveTask: (c, _i, task) => {
    c.setQueriesData<RequestOutput<'listTasks'>>({ queryKey: apiKeyPrefix('listTasks') }, (list) => upsert(list, task))
    invalidate(c, [...apiKeyPrefix('listTasks')], [...apiKeyPrefix('inspectTemplate', { taskId: task.id })])
  },
  deleteTask: (c) => invalidate(c, [...apiKeyPrefix('listTasks')], [...apiKeyPrefix('listBatches')]),
  saveVariations: (c, i, out) => void c.setQueryData(apiKey('getVariations', { taskId: i.taskId }), out),
  generateVariations: (c, i, out) => void c.setQueryData(apiKey('getVariations', { taskId: i.taskId }), out),
  regenerateVariation: (c, i, out) => void c.setQueryData(apiKey('getVariations', { taskId: i.taskId }), out),
  setApiKey: (c, _i, out) => void c.setQueryData(apiKey('getModelAccess', {}), out),
  setBaseUrl: (c, _i, out) => void c.setQueryData(apiKey('getModelAccess', {}), out),
  createBatch: (c) => invalidate(c, [...apiKeyPrefix('listBatches')]),
  startBatch: (c, i, status) => {
    putStatus(c, status)
    invalidate(c, [...apiKeyPrefix('getBatch', { batchId: i.batchId })], [...apiKeyPrefix('listBatches')])
  },
  retryRuns: (c, i, status) => {
    putStatus(c, status)
    invalidate(c, [...apiKeyPrefix('getBatch', { batchId: i.batchId })])
  },
  importSessions: (c, _i, batch) => invalidate(c, [...apiKeyPrefix('listBatches')], [...apiKeyPrefix('getBatch', { batchId: batch.id })]),
  // saveFeedback: the deck puts the grade in the cache as it is typed (putFeedback); the answers of
  // the saves behind it are older than what is on screen and are not written back.
  importFeedback: (c, i, r) => {
    if (!r.applied) return
    invalidate(
      c,
      [...apiKeyPrefix('getBatch', { batchId: i.batchId })],
      [...apiKeyPrefix('getSignals', { batchId: i.batchId })],
      [...apiKeyPrefix('exportFeedback', { batchId: i.batchId })]
    )
    refreshVerifications(c, i.batchId, true)
  },
  startAnalysis: (c, _i, a) => putAnalysis(c, a),
  retryAnalyst: (c, _i, a) => putAnalysis(c, a),
  saveSkill: (c, _i, v) => putSkill(c, v),
  reverseConflict: (c, _i, v) => putSkill(c, v),
  restoreSkillVersion: (c, _i, v) => putSkill(c, v),
  promoteSkillVersion: (c, _i, v) => putSkill(c, v),
  exportSkill: (c, i) => invalidate(c, [...apiKeyPrefix('planSkillExport', { skillId: i.skillId })]),
  startVerification: (c, _i, view) => {
    putVerificationView(c, view)
    invalidate(c, [...apiKeyPrefix('listVerifications')], [...apiKeyPrefix('listBatches')])
  },
  makeCandidates: (c, _i, view) => {
    putVerificationView(c, view)
    invalidate(c, [...apiKeyPrefix('listVerifications')], [...apiKeyPrefix('listBatches')])
  },
  resumeVerification: (c, _i, view) => {
    putVerificationView(c, view)
    if (view.verification.batchId) invalidate(c, [...apiKeyPrefix('getBatch', { batchId: view.verification.batchId })])
  },
  cancelVerification: (c, i) =>
    invalidate(c, [...apiKeyPrefix('getVerification', { verificationId: i.verificationId })], [...apiKeyPrefix('listVerifications')]),
  explainVerification: (c, _i, view) => putVerificationView(c, view),
  deepenFromVerification: (c, i, a) => {
    putAnalysis(c, a)
    invalidate(c, [...apiKeyPrefix('getVerification', { verificationId: i.verificationId })])
  },
  saveTriggerQueries: (c, _i, view) => putTriggersView(c, view),
  writeNearMisses: (c, _i, view) => putTriggersView(c, view),
  measureTriggers: (c, _i, m) => putTriggerMeasure(c, m),
  optimizeDescription: (c, _i, o) => putOptimisation(c, o),
  cancelTriggers: (c, i) => triggersChanged(c, i.skillId),
  // the pick saved as a new version: the skill (its versions) and the optimisation (savedVersionId)
  saveOptimisedDescription: (c, _i, v) => {
    putSkill(c, v)
    triggersChanged(c, v.skill.id)
  },
  retakeScreenshots: (c, _i, run) => {
    putRun(c, run, { keepFeedback: true })
    invalidate(c, [...apiKeyPrefix('getScreenshot', { runId: run.id })])
  }
}

export function afterMutation<N extends WriteName>(client: QueryClient, name: N, input: RequestInput<N>, output: RequestOutput<N>): void {
  ;(effects[name] as Effect<N> | undefined)?.(client, input, output)
}
