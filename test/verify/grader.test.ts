/**
 * Issue 21, the verification side, with the real `claude` and a scripted model (runs better with the
 * skill loaded; a grader grading the page it is shown): a blind verification's deck is pre-graded
 * while it stays blind, and no request to the grader holds anything of the skill (its text, its name,
 * its rules) or of any run's arm or session; the pre-grades stay the grader's until confirmed, and
 * confirming every one finishes the blind grading as the person's grades. `grade: 'auto'` is refused,
 * before anything is written, when the task has no rubric (or the skill no task).
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { seededInt } from '../../src/main/verify/plan'
import type { Run } from '../../src/shared/runs'
import { claudeEnv, SCRIPTED_RUN_SETTINGS as SETTINGS } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { plantSkill } from '../support/skill'
import { gradeOfPage, SKILL_NAME } from '../support/verify-script'
import { GRADER_PASTED as PASTED, plantTaskWithRubric, verifyGraderScript } from '../support/verify-grader'
import { readFile } from 'node:fs/promises'

describe("a verification's blind deck pre-graded by the grader", () => {
  let server: ModelServer
  let service: Service
  let dir = ''
  let taskId = ''
  let skillId = ''
  let verificationId = ''
  let batchId = ''
  let stored: Run[] = []
  let slowGrades = false
  let graded: () => void = () => {}
  const script = verifyGraderScript({ graderDelayMs: () => (slowGrades ? 30_000 : 0), onGrade: () => graded() })

  beforeAll(async () => {
    server = await startModelServer(script)
    dir = await mkdtemp(join(tmpdir(), 't2s-vgrader-'))
    service = await createService({
      configDir: join(dir, 'claude'),
      dataDir: join(dir, 'data'),
      mode: 'web',
      version: 'test',
      env: claudeEnv(join(dir, 'claude'), server.url),
      random: seededInt(5)
    })
    taskId = (await plantTaskWithRubric(service)).taskId
    skillId = (await plantSkill(service, { taskId })).skillId
    const view = await service.handlers.startVerification({
      skillId,
      repeats: 1,
      variations: { source: 'pasted', items: PASTED },
      settings: SETTINGS
    })
    verificationId = view.verification.id
    await service.verify.idle(verificationId)
    batchId = (await service.store.verifications.get(verificationId))!.batchId!
    stored = structuredClone(service.store.batches.runsOf((await service.store.batches.get(batchId))!))
    expect(stored.map((r) => r.state)).toEqual(['done', 'done', 'done', 'done'])
  }, 240_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('pre-grades the blind deck with the task rubric; no request holds the skill, its name, an arm or a session', async () => {
    expect(service.blind.isBlind(batchId)).toBe(true)
    const started = await service.handlers.startPregrade({ batchId })
    expect(started).toMatchObject({ batchId, state: 'running', progress: { done: 0, total: 4 } })
    // the task's figures, measured on another batch of the task (a verification's batch is never measured itself)
    expect(started.measured).toMatchObject({ trusted: true, accuracy: 10 / 12, kappa: 2 / 3 })
    await service.operations.whenSettled('pregrade', batchId)
    const p = (await service.handlers.getPregrade({ batchId }))!
    expect(p.state).toBe('done')
    expect(Object.keys(p.grades).sort()).toEqual(stored.map((r) => r.id).sort())
    // each grade is what the person would say of the page
    for (const r of stored) {
      const html = await readFile(join(r.workspace!, 'index.html'), 'utf8')
      expect(p.grades[r.id].label, `Run ${r.number}`).toBe(gradeOfPage(html))
    }
    // both kinds of page were there to grade: the test can tell a leak from a page
    expect(new Set(Object.values(p.grades).map((g) => g.label))).toEqual(new Set(['good', 'bad']))

    expect(script.graderRequests).toHaveLength(4)
    const version = (await service.store.skills.versions(skillId)).at(-1)!
    const skillLines = version.skillMd
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 12)
    expect(skillLines.length).toBeGreaterThan(2)
    const v = (await service.store.verifications.get(verificationId))!
    for (const body of script.graderRequests) {
      const all = JSON.stringify(body)
      for (const line of skillLines) expect(all).not.toContain(JSON.stringify(line).slice(1, -1))
      expect(all).not.toContain(SKILL_NAME)
      expect(all).not.toContain('Keep the page to three cards')
      expect(all).not.toContain('.claude/skills')
      expect(all).not.toMatch(/no skill|with-skill|without the skill|version 1\b/i)
      for (const r of stored) expect(all).not.toContain(r.sessionId)
      expect(Object.keys(v.arms)).toHaveLength(4)
    }
    // still blind: the pre-grades are not the person's grades
    const view = await service.handlers.getVerification({ verificationId })
    expect(view.report).toBeNull()
    expect(view.blind).toMatchObject({ graded: 0, runs: 4 })
    expect(view.grader).toBeUndefined()
  })

  it("confirmed pre-grades are the person's and finish the blind grading; a flip is the person's label", async () => {
    const p = (await service.handlers.getPregrade({ batchId }))!
    const [first, ...rest] = stored
    const flipped = p.grades[first.id].label === 'good' ? 'bad' : 'good'
    await service.handlers.confirmPregrade({ runId: first.id, label: flipped })
    for (const r of rest.slice(0, -1)) await service.handlers.confirmPregrade({ runId: r.id })
    // one left: still blind
    expect(service.blind.isBlind(batchId)).toBe(true)
    expect((await service.handlers.getVerification({ verificationId })).blind).toMatchObject({ graded: 3, runs: 4 })
    await service.handlers.confirmPregrade({ runId: rest.at(-1)!.id })
    expect(service.blind.isBlind(batchId)).toBe(false)
    const view = await service.handlers.getVerification({ verificationId })
    expect(view.report).not.toBeNull()
    // every grade is the person's: no headline about the grader
    expect(view.grader).toBeUndefined()
    const runs = service.store.batches.runsOf((await service.store.batches.get(batchId))!)
    for (const r of runs) expect(r.feedback?.by, `Run ${r.number}`).toBeUndefined()
    expect(runs.find((r) => r.id === first.id)!.feedback).toMatchObject({ label: flipped, text: '' })
    expect(runs.find((r) => r.id === rest[0].id)!.feedback).toMatchObject({
      label: p.grades[rest[0].id].label,
      text: p.grades[rest[0].id].reason
    })
    expect((await service.handlers.exportFeedback({ batchId })).text).not.toContain('(grader)')
  })

  it("grade auto: cancelled while the grader grades, it stays blind; resumed, every run is the grader's and the report says so", async () => {
    const seen: string[] = []
    // the grader's first call is in flight (its answer waits)
    const asking = new Promise<void>((resolve) => (graded = resolve))
    const off = service.hub.subscribe((event, payload) => {
      const v = (payload as { verification?: { autoGrade?: { state: string } } }).verification
      if (event === 'verificationProgress' && v?.autoGrade) seen.push(v.autoGrade.state)
    })
    slowGrades = true
    const asked = script.graderRequests.length
    const started = await service.handlers.startVerification({
      skillId,
      repeats: 1,
      variations: { source: 'pasted', items: PASTED },
      settings: SETTINGS,
      grade: 'auto'
    })
    const id = started.verification.id
    expect(started.verification.grade).toBe('auto')
    await asking
    graded = () => {}
    await service.handlers.cancelVerification({ verificationId: id })
    await service.verify.idle(id)
    let v = (await service.store.verifications.get(id))!
    expect(v.autoGrade).toMatchObject({ state: 'cancelled', done: 0, total: 4 })
    const bid = v.batchId!
    expect(service.blind.isBlind(bid)).toBe(true)
    expect((await service.handlers.getVerification({ verificationId: id })).report).toBeNull()
    // the grader was asked (and its call in flight stopped): nothing was saved as a grade
    expect(script.graderRequests.length).toBeGreaterThan(asked)
    expect(service.store.batches.runsOf((await service.store.batches.get(bid))!).filter((r) => r.feedback?.label)).toEqual([])

    slowGrades = false
    await service.handlers.resumeVerification({ verificationId: id })
    await service.verify.idle(id)
    off()
    v = (await service.store.verifications.get(id))!
    expect(v.autoGrade).toMatchObject({ state: 'done', done: 4, total: 4, failed: [] })
    expect(seen).toEqual(expect.arrayContaining(['waiting', 'running', 'cancelled', 'done']))
    const runs = service.store.batches.runsOf((await service.store.batches.get(bid))!)
    for (const r of runs) {
      expect(r.feedback, `Run ${r.number}`).toMatchObject({ by: 'grader' })
      expect(r.feedback!.label).toBe(gradeOfPage(await readFile(join(r.workspace!, 'index.html'), 'utf8')))
    }
    expect(service.blind.isBlind(bid)).toBe(false)
    const view = await service.handlers.getVerification({ verificationId: id })
    expect(view.report?.complete).toBe(true)
    expect(view.grader).toEqual({ runs: 4, of: 4, measured: expect.objectContaining({ trusted: true, accuracy: 10 / 12, kappa: 2 / 3 }) })
    // the feedback text marks every grade as the grader's
    const text = (await service.handlers.exportFeedback({ batchId: bid })).text.trim().split('\n')
    expect(text).toHaveLength(4)
    for (const line of text) expect(line).toMatch(/^Run \d: (good|bad) \(grader\) - /)
  }, 120_000)

  it('refuses grade auto before anything is written when the task has no rubric, or the skill no task', async () => {
    const before = service.store.verifications.ids().length
    const bare = await service.handlers.saveTask({ name: 'No rubric', text: 'Build a page.' })
    const noRubric = (await plantSkill(service, { taskId: bare.id })).skillId
    const input = {
      skillId: noRubric,
      repeats: 1,
      variations: { source: 'pasted' as const, items: PASTED },
      settings: SETTINGS,
      grade: 'auto' as const
    }
    await expect(service.handlers.estimateVerification(input)).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(
        /no rubric to grade with yet: build it from a graded batch of the task first \(trace2skill rubric <batch>\)/
      )
    })
    await expect(service.handlers.startVerification(input)).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/rubric/)
    })
    const noTask = (await plantSkill(service)).skillId
    await expect(service.handlers.startVerification({ ...input, skillId: noTask })).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/the skill has no task/)
    })
    expect(service.store.verifications.ids()).toHaveLength(before)
    // the person grading it (the default) is not refused
    await expect(service.handlers.estimateVerification({ ...input, grade: 'person' })).resolves.toMatchObject({ runs: 4 })
  })
})
