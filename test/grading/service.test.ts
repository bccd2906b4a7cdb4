/**
 * The rubric and the grader through the contract's handlers and the CLI, with the real SDK against a
 * scripted model: the cost before, the rubric built and edited (events), the grader measured as an
 * operation (progress events, the hand-computed figures), a cancel reaching the model call in flight, a
 * measurement left running by a stopped app marked interrupted, and `trace2skill rubric` / `grader`.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { runCli, type CliIo } from '../../src/main/cli/cli'
import type { GraderCheck, RubricView } from '../../src/shared/grading'
import { fixtureSessions } from '../support/fixture-sessions'
import { graderScript, toolOf } from '../support/grader-script'
import { startModelServer, type ModelServer, type Reply } from '../support/model-server'

const N = 12
/** runs 1-6 graded good, 7-12 bad */
const labelOf = (n: number) => (n <= 6 ? ('good' as const) : ('bad' as const))
/** the scripted grader is wrong on runs 2 and 9 */
const WRONG = new Set([2, 9])

let server: ModelServer
let behave: (req: { body: unknown; index: number }) => Reply | Promise<Reply>
let root = ''
let configDir = ''
let dataDir = ''
let batchId = ''
let env: NodeJS.ProcessEnv

const open = () => createService({ configDir, dataDir, mode: 'web', version: 'test', env: env })

beforeAll(async () => {
  behave = graderScript(labelOf, WRONG)
  server = await startModelServer((req) => behave(req))
  root = await mkdtemp(join(tmpdir(), 't2s-grading-'))
  configDir = join(root, 'claude')
  dataDir = join(root, 'data')
  env = { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: server.url }
  const ids = await fixtureSessions(configDir, N)
  const service = await open()
  try {
    batchId = (await service.handlers.importSessions({ name: 'Landing pages', sessions: ids.map((sessionId) => ({ sessionId })) })).id
    for (const r of (await service.handlers.getBatch({ batchId })).runs)
      await service.handlers.saveFeedback({ runId: r.id, label: labelOf(r.number), text: `${labelOf(r.number)}-${r.number}` })
  } finally {
    await service.dispose()
  }
}, 120_000)
afterAll(async () => {
  await server?.close()
  await rm(root, { recursive: true, force: true })
})

describe('through the handlers', () => {
  let service: Service
  const events: { event: string; payload: unknown }[] = []
  beforeAll(async () => {
    service = await open()
    service.hub.subscribe((event, payload) => events.push({ event, payload }))
  })
  afterAll(async () => {
    await service.dispose()
  })

  it('estimates the cost before: one rubric per fold, one grade per run, no model called', async () => {
    const before = server.requests.length
    const e = await service.handlers.estimateGrader({ batchId })
    expect(e).toMatchObject({ runs: 12, folds: 5, calls: 17 })
    expect(e.inputTokens).toBeGreaterThan(0)
    expect(e.outputTokens).toBe(5 * 1500 + 12 * 800)
    expect(e.usd).toBeGreaterThan(0)
    expect(server.requests.length).toBe(before)
  })

  it('builds the rubric (an event says so), then an edit is a new version', async () => {
    expect(await service.handlers.getRubric({ batchId })).toBeNull()
    const view = await service.handlers.buildRubric({ batchId })
    expect(view.current.assertions).toEqual([expect.objectContaining({ runs: Array.from({ length: N }, (_, i) => i + 1), by: 'model' })])
    expect(
      events.some((e) => e.event === 'rubricChanged' && (e.payload as { rubric: RubricView }).rubric.current.id === view.current.id)
    ).toBe(true)
    const edited = await service.handlers.editRubric({
      rubricId: view.rubric.id,
      baseVersionId: view.current.id,
      edit: { op: 'add', text: 'No more than four cards in a row' }
    })
    expect(edited.current.number).toBe(2)
    expect((await service.handlers.getRubric({ batchId }))!.current.id).toBe(edited.current.id)
    const ops = await service.store.operations.get(service.store.operations.ids().find((id) => id.startsWith('rubric-'))!)
    expect(ops).toMatchObject({ kind: 'rubric', subject: batchId, state: 'done' })
  })

  it('measures the grader as an operation: progress events, then the figures computed by hand', async () => {
    // person good 6: grader good 5, bad 1 (run 2); person bad 6: grader good 1 (run 9), bad 5
    // po = 10/12; person good 0.5, grader good 0.5; pe = 0.5; kappa = (10/12 - 0.5) / 0.5 = 2/3
    const started = await service.handlers.startGrader({ batchId })
    expect(started).toMatchObject({ state: 'running', folds: 5, progress: { done: 0, total: 17 } })
    await service.operations.whenSettled('grader', batchId)
    const g = await service.handlers.getGrader({ graderId: started.id })
    expect(g.state).toBe('done')
    expect(g.report!.agreement).toMatchObject({ n: 12, agreed: 10, confusion: { goodGood: 5, goodBad: 1, badGood: 1, badBad: 5 } })
    expect(g.report!.agreement.accuracy).toBeCloseTo(10 / 12, 12)
    expect(g.report!.agreement.kappa).toBeCloseTo(2 / 3, 12)
    expect(g.report!.trust).toEqual({ trusted: true, reasons: [] })
    expect(g.report!.disagreements.map((d) => [d.number, d.person, d.grader, d.personText])).toEqual([
      [2, 'good', 'bad', 'good-2'],
      [9, 'bad', 'good', 'bad-9']
    ])
    const progress = events
      .filter((e) => e.event === 'graderProgress')
      .map((e) => (e.payload as { grader: GraderCheck }).grader)
      .filter((x) => x.id === started.id)
    expect(progress.at(-1)!.state).toBe('done')
    expect(Math.max(...progress.map((x) => x.progress.done))).toBe(17)
    expect((await service.handlers.latestGrader({ batchId }))!.id).toBe(started.id)
  })

  it('a cancel reaches the model call in flight; a second start while one runs is refused', async () => {
    let held = 0
    behave = (req) => {
      const reply = graderScript(labelOf, WRONG)(req)
      // the grades are slow: the cancel comes while one is in flight
      if (toolOf(req.body) === 'grade_output') held++
      return toolOf(req.body) === 'grade_output' ? { ...reply, delayMs: 10_000 } : reply
    }
    const started = await service.handlers.startGrader({ batchId })
    await expect(service.handlers.startGrader({ batchId })).rejects.toMatchObject({ code: 'busy' })
    while (!held) await new Promise((r) => setTimeout(r, 20))
    const asked = server.requests.length
    expect(await service.handlers.cancelGrader({ graderId: started.id })).toEqual({ cancelled: true })
    await service.operations.whenSettled('grader', batchId)
    const g = await service.handlers.getGrader({ graderId: started.id })
    expect(g).toMatchObject({ state: 'cancelled', error: 'cancelled' })
    expect(g.report).toBeUndefined()
    // nothing more was asked once cancelled
    expect(server.requests.length).toBe(asked)
    behave = graderScript(labelOf, WRONG)
  })

  it('too few graded runs is refused with why', async () => {
    const other = (
      await service.handlers.importSessions({
        name: 'one',
        sessions: [{ sessionId: (await service.handlers.getBatch({ batchId })).runs[0].sessionId }]
      })
    ).id
    await expect(service.handlers.startGrader({ batchId: other })).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/at least 2 graded runs are needed \(this batch has 0\)/)
    })
    await expect(service.handlers.buildRubric({ batchId: other })).rejects.toMatchObject({ code: 'invalid' })
  })
})

describe('after a crash', () => {
  it('a measurement left running is marked interrupted at the next start', async () => {
    const s1 = await open()
    const id = 'left-running'
    await s1.store.graders.put({
      id,
      batchId,
      via: 'api',
      model: 'm',
      folds: 5,
      state: 'running',
      createdAt: new Date().toISOString(),
      progress: { done: 3, total: 17, step: 'x' },
      costUsd: 0
    })
    await s1.dispose()
    const s2 = await open()
    try {
      expect(await s2.handlers.getGrader({ graderId: id })).toMatchObject({
        state: 'interrupted',
        error: expect.stringMatching(/measure again/)
      })
    } finally {
      await s2.dispose()
    }
  })
})

describe('the CLI', () => {
  const capture = () => {
    const got = { stdout: '', stderr: '' }
    const io: CliIo = {
      out: (t) => (got.stdout += `${t}\n`),
      err: (t) => (got.stderr += `${t}\n`),
      env: { ...env, CLAUDE_CONFIG_DIR: configDir, TRACE2SKILL_DATA_DIR: dataDir, CHROMIUM_PATH: join(root, 'no-chromium') }
    }
    return { io, got }
  }

  it('the usage text lists rubric and grader with their options', async () => {
    const { io, got } = capture()
    expect(await runCli(['--help'], io)).toBe(0)
    const entry = (name: string) => got.stdout.split('\n').find((l) => l.startsWith(`  ${name} `))
    expect(entry('rubric')).toMatch(/rubric <batch> \[--via api\|claude-cli\] \[--model M\] \[--claude PATH\] \[--json\]/)
    expect(entry('grader')).toMatch(/grader <batch> .*\[--folds N\] \[--estimate\] \[--json\]/)
  })

  it('rubric <batch> --json: the new version of the rubric', async () => {
    const { io, got } = capture()
    expect(await runCli(['rubric', batchId, '--json'], io), got.stderr).toBe(0)
    const view = JSON.parse(got.stdout) as RubricView
    expect(view.current.made).toBe('built')
    expect(view.history.length).toBeGreaterThanOrEqual(3)
  })

  it('grader <batch>: the agreement table, the disagreements, and whether to trust it', async () => {
    const { io, got } = capture()
    expect(await runCli(['grader', batchId], io), got.stderr).toBe(0)
    expect(got.stdout).toContain("accuracy 83% (10 of 12 runs), Cohen's kappa 0.67")
    expect(got.stdout).toMatch(/you said good\s+5\s+1\n\s+you said bad\s+1\s+5/)
    expect(got.stdout).toContain('trust it: kappa at least 0.6 and accuracy at least 80% over 12 runs')
    expect(got.stdout).toContain('Run 2: you said good ("good-2"); the grader said bad: run 2 looks bad')
    expect(got.stderr).toMatch(/17\/17 run \d+ graded/)
  })

  it('grader --json, --estimate and bad arguments', async () => {
    let c = capture()
    expect(await runCli(['grader', batchId, '--json', '--folds', '3'], c.io), c.got.stderr).toBe(0)
    const g = JSON.parse(c.got.stdout) as GraderCheck
    expect(g.report!.folds).toHaveLength(3)
    c = capture()
    expect(await runCli(['grader', batchId, '--estimate', '--json'], c.io)).toBe(0)
    expect(JSON.parse(c.got.stdout)).toMatchObject({ runs: 12, folds: 5, calls: 17 })
    c = capture()
    expect(await runCli(['grader', batchId, '--folds', '1'], c.io)).toBe(2)
    expect(c.got.stderr).toMatch(/--folds takes a whole number from 2 to 20, not 1/)
  })
})

describe('pre-grading', () => {
  it("grades the runs the person has not, marked as the grader's until confirmed or flipped", async () => {
    const more = await fixtureSessions(configDir, 3, '-tmp-more')
    const service = await open()
    try {
      // a batch without a rubric is refused with what to do
      const lone = (await service.handlers.importSessions({ name: 'lone', sessions: [{ sessionId: more[0] }] })).id
      await expect(service.handlers.startPregrade({ batchId: lone })).rejects.toMatchObject({
        code: 'invalid',
        message: expect.stringMatching(/no rubric yet/)
      })

      await service.handlers.importSessions({ batchId, sessions: more.map((sessionId) => ({ sessionId })) })
      const runs = (await service.handlers.getBatch({ batchId })).runs
      const fresh = runs.filter((r) => !r.feedback?.label).sort((a, b) => a.number - b.number)
      expect(fresh.map((r) => r.number)).toEqual([13, 14, 15])
      const started = await service.handlers.startPregrade({ batchId })
      expect(started).toMatchObject({ state: 'running', progress: { done: 0, total: 3 } })
      await service.operations.whenSettled('pregrade', batchId)
      const p = (await service.handlers.getPregrade({ batchId }))!
      expect(p.state).toBe('done')
      expect(
        Object.values(p.grades)
          .map((g) => [g.number, g.label, g.reason])
          .sort()
      ).toEqual([
        [13, 'bad', 'run 13 looks bad'],
        [14, 'bad', 'run 14 looks bad'],
        [15, 'bad', 'run 15 looks bad']
      ])
      // how far the grader was measured to agree on this batch (the newest measurement: 10 of 12)
      expect(p.measured).toMatchObject({ trusted: true })
      expect(p.measured!.accuracy).toBeCloseTo(10 / 12, 12)
      // the grader's grades are not the person's: the runs stay ungraded, and the grader is still measured on the person's 12
      expect((await service.handlers.getBatch({ batchId })).runs.filter((r) => r.feedback?.label)).toHaveLength(12)
      expect((await service.handlers.estimateGrader({ batchId })).runs).toBe(12)
      const exported = await service.handlers.exportFeedback({ batchId })
      expect(exported.text).not.toMatch(/Run 1[345]:/)

      // confirmed: the person's grade, with the grader's reason as its sentence; no longer the grader's
      const [r13, r14, r15] = fresh
      const c13 = await service.handlers.confirmPregrade({ runId: r13.id })
      expect(c13.feedback).toMatchObject({ label: 'bad', text: 'run 13 looks bad' })
      // flipped: the person's label, and no sentence of the grader's put in their mouth
      const c14 = await service.handlers.confirmPregrade({ runId: r14.id, label: 'good' })
      expect(c14.feedback).toMatchObject({ label: 'good', text: '' })
      // graded by the person directly: the grader's grade of it is left out
      await service.handlers.saveFeedback({ runId: r15.id, label: 'good', text: 'fine by me' })
      expect((await service.handlers.getPregrade({ batchId }))!.grades).toEqual({})
      await expect(service.handlers.confirmPregrade({ runId: r13.id })).rejects.toMatchObject({ code: 'not-found' })
    } finally {
      await service.dispose()
    }
  })

  it("pregrade <batch> in words: each grade marked as the grader's, and how far to trust it", async () => {
    const [extra] = await fixtureSessions(configDir, 1, '-tmp-extra')
    const s = await open()
    try {
      await s.handlers.importSessions({ batchId, sessions: [{ sessionId: extra }] })
    } finally {
      await s.dispose()
    }
    const got = { stdout: '', stderr: '' }
    const io: CliIo = {
      out: (t) => (got.stdout += `${t}\n`),
      err: (t) => (got.stderr += `${t}\n`),
      env: { ...env, CLAUDE_CONFIG_DIR: configDir, TRACE2SKILL_DATA_DIR: dataDir, CHROMIUM_PATH: join(root, 'no-chromium') }
    }
    expect(await runCli(['pregrade', batchId], io), got.stderr).toBe(0)
    expect(got.stdout).toContain(
      "1 run pre-graded by the grader (done), not yet confirmed by you; none unsure:\n  Run 16: bad (grader's) - run 16 looks bad"
    )
    expect(got.stdout).toMatch(/the grader agreed with you on 83% of runs \(kappa 0\.67\)\n/)
  })
})
