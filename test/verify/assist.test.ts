/**
 * Issue 22, `grade: 'assist'`, with the real `claude` and a scripted model (runs better with the skill
 * loaded; a grader grading the page it is shown, unsure of the night-club pages): the grader grades
 * every finished run; the grades it is sure of are saved as the grader's, the runs it is unsure of stay
 * ungraded for the person, its grade a pre-grade marked unsure with why. Meanwhile the verification
 * stays blind (no report, no arm) and says which deck numbers are left for the person; a resume does
 * not hand them back to the grader; once the person has graded them, it is complete.
 */
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { seededInt } from '../../src/main/verify/plan'
import type { Run } from '../../src/shared/runs'
import { leftForYouText } from '../../src/shared/verify'
import { claudeEnv, SCRIPTED_RUN_SETTINGS as SETTINGS } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { plantSkill } from '../support/skill'
import { gradeOfPage, SKILL_NAME } from '../support/verify-script'
import { GRADER_PASTED as PASTED, plantTaskWithRubric, verifyGraderScript } from '../support/verify-grader'

describe("grade 'assist': the person grades only what the grader is unsure of", () => {
  let server: ModelServer
  let service: Service
  let dir = ''
  let verificationId = ''
  let batchId = ''
  let runs: Run[] = []
  let unsure: Run[] = []
  let sure: Run[] = []
  const events: { event: string; payload: unknown }[] = []
  const script = verifyGraderScript({ unsureOf: (text) => text.includes('night club') })

  beforeAll(async () => {
    server = await startModelServer(script)
    dir = await mkdtemp(join(tmpdir(), 't2s-vassist-'))
    service = await createService({
      configDir: join(dir, 'claude'),
      dataDir: join(dir, 'data'),
      mode: 'web',
      version: 'test',
      env: claudeEnv(join(dir, 'claude'), server.url),
      random: seededInt(7)
    })
    // as they were pushed (a payload may be the live record, changed after)
    service.hub.subscribe((event, payload) => events.push({ event, payload: structuredClone(payload) }))
    const { taskId } = await plantTaskWithRubric(service)
    const { skillId } = await plantSkill(service, { taskId })
    const view = await service.handlers.startVerification({
      skillId,
      repeats: 1,
      variations: { source: 'pasted', items: PASTED },
      settings: SETTINGS,
      grade: 'assist'
    })
    expect(view.verification.grade).toBe('assist')
    verificationId = view.verification.id
    await service.verify.idle(verificationId)
    batchId = (await service.store.verifications.get(verificationId))!.batchId!
    runs = service.store.batches.runsOf((await service.store.batches.get(batchId))!)
    expect(runs.map((r) => r.state)).toEqual(['done', 'done', 'done', 'done'])
    unsure = runs.filter((r) => r.prompt.includes('night club'))
    sure = runs.filter((r) => !r.prompt.includes('night club'))
    expect(unsure).toHaveLength(2)
  }, 240_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it("saves the sure grades as the grader's and leaves the unsure runs ungraded, each with the grader's pre-grade and why", async () => {
    expect(script.graderRequests).toHaveLength(4)
    const v = (await service.store.verifications.get(verificationId))!
    expect(v.autoGrade).toMatchObject({ state: 'done', done: 4, total: 4, failed: [] })
    expect([...v.autoGrade!.unsure!].sort()).toEqual(unsure.map((r) => r.number).sort())
    for (const r of sure) {
      expect(r.feedback, `Run ${r.number}`).toMatchObject({
        by: 'grader',
        label: gradeOfPage(await readFile(join(r.workspace!, 'index.html'), 'utf8'))
      })
      expect(r.feedback!.unsure).toBeUndefined()
    }
    for (const r of unsure) expect(r.feedback?.label ?? null, `Run ${r.number}`).toBeNull()
    const p = (await service.handlers.getPregrade({ batchId }))!
    expect(Object.keys(p.grades).sort()).toEqual(unsure.map((r) => r.id).sort())
    for (const r of unsure) {
      const g = p.grades[r.id]
      expect(g.label).toBe(gradeOfPage(await readFile(join(r.workspace!, 'index.html'), 'utf8')))
      expect(g.unsure).toEqual({ why: 'the grader was unsure: the screenshot is cut above the cards' })
    }
  })

  it('stays blind meanwhile and says which deck numbers are left for the person; nothing of an arm reached the grader', async () => {
    expect(service.blind.isBlind(batchId)).toBe(true)
    const view = await service.handlers.getVerification({ verificationId })
    expect(view.report).toBeNull()
    expect(view.verification.arms).toEqual({})
    expect(view.blind).toMatchObject({ graded: 2, runs: 4 })
    expect([...view.leftForYou!].sort()).toEqual(unsure.map((r) => r.number).sort())
    const numbers = unsure.map((r) => r.number).sort((a, b) => a - b)
    expect(leftForYouText(view.leftForYou!)).toBe(`2 runs left for you: the grader was unsure (Runs ${numbers.join(', ')})`)
    // the events said nothing of an arm either
    const told = events.filter((x) => x.event === 'verificationProgress' || x.event === 'pregradeProgress')
    expect(told.some((e) => e.event === 'pregradeProgress')).toBe(true)
    for (const e of told) {
      const p = e.payload as { verification?: { arms: object }; pregrade?: object }
      if (p.verification) expect(p.verification.arms).toEqual({})
      if (p.pregrade) expect(JSON.stringify(p.pregrade)).not.toMatch(/"arms?"|with-skill|no skill/)
    }
    for (const body of script.graderRequests) {
      const all = JSON.stringify(body)
      expect(all).not.toContain(SKILL_NAME)
      expect(all).not.toContain('.claude/skills')
      for (const r of runs) expect(all).not.toContain(r.sessionId)
    }
  })

  it('a resume does not hand the unsure runs back to the grader', async () => {
    const asked = script.graderRequests.length
    await expect(service.handlers.resumeVerification({ verificationId })).rejects.toMatchObject({ code: 'invalid' })
    await service.verify.idle(verificationId)
    expect(script.graderRequests.length).toBe(asked)
  })

  it('once the person has graded them (one confirmed, one flipped), it is complete', async () => {
    const p = (await service.handlers.getPregrade({ batchId }))!
    const [first, second] = unsure
    await service.handlers.confirmPregrade({ runId: first.id })
    expect(service.blind.isBlind(batchId)).toBe(true)
    expect((await service.handlers.getVerification({ verificationId })).leftForYou).toEqual([second.number])
    const flipped = p.grades[second.id].label === 'good' ? 'bad' : 'good'
    await service.handlers.confirmPregrade({ runId: second.id, label: flipped })
    expect(service.blind.isBlind(batchId)).toBe(false)
    const view = await service.handlers.getVerification({ verificationId })
    expect(view.status.stage).toBe('complete')
    expect(view.report?.complete).toBe(true)
    expect(view.leftForYou).toEqual([])
    expect(view.grader).toMatchObject({ runs: 2, of: 4 })
    const after = service.store.batches.runsOf((await service.store.batches.get(batchId))!)
    expect(after.find((r) => r.id === first.id)!.feedback).toMatchObject({ label: p.grades[first.id].label })
    expect(after.find((r) => r.id === first.id)!.feedback!.by).toBeUndefined()
    expect(after.find((r) => r.id === second.id)!.feedback).toMatchObject({ label: flipped })
  })

  it("a deck pre-graded by the grader: 'Accept the sure ones' saves the sure pre-grades as the grader's, and is undone as one group", async () => {
    const started = await service.handlers.startVerification({
      skillId: (await service.store.verifications.get(verificationId))!.skillId,
      repeats: 1,
      variations: { source: 'pasted', items: PASTED },
      settings: SETTINGS
    })
    const id = started.verification.id
    await service.verify.idle(id)
    const bid = (await service.store.verifications.get(id))!.batchId!
    const all = service.store.batches.runsOf((await service.store.batches.get(bid))!)
    await expect(service.handlers.acceptSurePregrades({ batchId: bid })).rejects.toMatchObject({ code: 'not-found' })
    await service.handlers.startPregrade({ batchId: bid })
    await service.operations.whenSettled('pregrade', bid)
    const p = (await service.handlers.getPregrade({ batchId: bid }))!
    const unsureIds = all.filter((r) => r.prompt.includes('night club')).map((r) => r.id)
    expect(
      Object.values(p.grades)
        .filter((g) => g.unsure)
        .map((g) => g.runId)
        .sort()
    ).toEqual([...unsureIds].sort())

    const accepted = await service.handlers.acceptSurePregrades({ batchId: bid })
    const sureIds = all.filter((r) => !unsureIds.includes(r.id)).map((r) => r.id)
    expect(accepted.runs.map((r) => r.id).sort()).toEqual([...sureIds].sort())
    // still blind: what it gives back says nothing of a run's folder or session
    for (const r of accepted.runs) expect(r).toMatchObject({ blind: true, sessionId: '' })
    let runs = service.store.batches.runsOf((await service.store.batches.get(bid))!)
    for (const r of runs)
      if (sureIds.includes(r.id))
        expect(r.feedback).toMatchObject({ by: 'grader', label: p.grades[r.id].label, text: p.grades[r.id].reason })
      else expect(r.feedback?.label ?? null).toBeNull()
    // only the unsure ones are left to go through
    expect(Object.keys((await service.handlers.getPregrade({ batchId: bid }))!.grades).sort()).toEqual([...unsureIds].sort())
    await expect(service.handlers.acceptSurePregrades({ batchId: bid })).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/unsure of every pre-grade left/)
    })

    // undone as one group, but a grade the person gave since is theirs
    await service.handlers.saveFeedback({ runId: sureIds[0], label: 'bad', text: 'mine' })
    const undone = await service.handlers.undoAcceptPregrades({ batchId: bid, runIds: accepted.runs.map((r) => r.id) })
    expect(undone.runs.map((r) => r.id)).toEqual([sureIds[1]])
    runs = service.store.batches.runsOf((await service.store.batches.get(bid))!)
    expect(runs.find((r) => r.id === sureIds[0])!.feedback).toMatchObject({ label: 'bad', text: 'mine' })
    expect(runs.find((r) => r.id === sureIds[1])!.feedback?.label ?? null).toBeNull()
    expect(Object.keys((await service.handlers.getPregrade({ batchId: bid }))!.grades).sort()).toEqual([...unsureIds, sureIds[1]].sort())
  }, 120_000)
})
