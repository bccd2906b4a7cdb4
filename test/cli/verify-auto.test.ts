/**
 * `trace2skill verify --grade auto` end to end, with the real `claude` and one scripted model (runs
 * better with the skill loaded; the grader grading the page it is shown): the runs run, the grader
 * grades every one with the task's rubric (said on stderr), each run's feedback is the grader's, and
 * the report's headline says so beside the result, with the grader's last measured agreement on the
 * task; the feedback text marks each grade "(grader)". Refused, before anything runs, without a rubric;
 * a --grade that is neither person nor auto is a usage error.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../src/main/app/service'
import { runCli } from '../../src/main/cli/cli'
import type { VerificationView } from '../../src/shared/verify'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { plantSkill } from '../support/skill'
import { plantTaskWithRubric, verifyGraderScript } from '../support/verify-grader'
import { skilledPrompt } from '../support/verify-script'

const PASTED = [`1. [normal] ${skilledPrompt('fixed', 'pasted: a dentist')}`, `2. [normal] ${skilledPrompt('fixed', 'pasted: a florist')}`]

describe('verify --grade auto from the command line', () => {
  let server: ModelServer
  let dir = ''
  let configDir = ''
  let dataDir = ''
  let skillId = ''
  let bareSkillId = ''
  let batchId = ''
  let vid = ''
  const script = verifyGraderScript()

  const cli = async (argv: string[]) => {
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(argv, {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      // screenshots off (no Chromium at that path): not what is tested here
      env: { ...claudeEnv(configDir, server.url), TRACE2SKILL_DATA_DIR: dataDir, CHROMIUM_PATH: join(dir, 'no-chromium') }
    })
    return { code, out: out.join('\n'), err: err.join('\n') }
  }
  const verifyArgs = (skill: string, grade: string) => [
    'verify',
    skill,
    '--variations',
    join(dir, 'pasted.txt'),
    '--repeats',
    '1',
    '--preset',
    'accept-edits',
    '--claude',
    CLAUDE_BIN,
    '--max-turns',
    '10',
    '--grade',
    grade
  ]

  beforeAll(async () => {
    server = await startModelServer(script)
    dir = await mkdtemp(join(tmpdir(), 't2s-cli-vauto-'))
    configDir = join(dir, 'claude')
    dataDir = join(dir, 'data')
    await writeFile(join(dir, 'pasted.txt'), PASTED.join('\n') + '\n')
    const service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: claudeEnv(configDir, server.url) })
    try {
      const { taskId } = await plantTaskWithRubric(service)
      skillId = (await plantSkill(service, { taskId })).skillId
      const bare = await service.handlers.saveTask({ name: 'No rubric', text: 'Build a page.' })
      bareSkillId = (await plantSkill(service, { taskId: bare.id })).skillId
    } finally {
      await service.dispose()
    }
  }, 60_000)
  afterAll(async () => {
    await server?.close()
  })

  it('refuses --grade auto without a rubric before anything runs, and a --grade that is neither', async () => {
    const before = server.requests.length
    const none = await cli(verifyArgs(bareSkillId, 'auto'))
    expect(none.code).toBe(1)
    expect(none.err).toMatch(/grade auto: the skill's task has no rubric to grade with yet: build it from a graded batch of the task first/)
    expect(server.requests.length).toBe(before)
    const bad = await cli(verifyArgs(skillId, 'robot'))
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/--grade takes person .*, auto .* or assist .*, not robot/)
    expect((await cli(['verifications', '--json'])).out).toBe('[]')
  })

  it("runs, then the grader grades every run; the feedback is the grader's and the report says so with the figures", async () => {
    const r = await cli([...verifyArgs(skillId, 'auto'), '--json'])
    expect(r.code, r.err).toBe(0)
    expect(r.err).toMatch(/estimate: .*the grader grading the 4 runs with the task's rubric \(1 assertion, /)
    expect(r.err).toMatch(/the grader grades the 4 runs with the task's rubric/)
    expect(r.err).toMatch(/graded by the grader: 4 of 4 runs/)
    const got = JSON.parse(r.out) as { verificationId: string; batchId: string; next: string }
    batchId = got.batchId
    vid = got.verificationId
    expect(got.next).toBe(`trace2skill report ${got.verificationId}`)
    expect(script.graderRequests).toHaveLength(4)

    const fb = await cli(['feedback', batchId])
    expect(fb.code, fb.err).toBe(0)
    const lines = fb.out.trim().split('\n')
    expect(lines).toHaveLength(4)
    for (const line of lines) expect(line).toMatch(/^Run \d: (good|bad) \(grader\) - /)

    const report = await cli(['report', got.verificationId])
    expect(report.code, report.err).toBe(0)
    const text = report.out.split('\n')
    const result = text.findIndex((l) => l.startsWith('result: '))
    expect(result).toBeGreaterThan(0)
    // the skill fixes both variations: with it both pages are good, without it both bad
    expect(text[result]).toMatch(/version 1 against no skill: \+100 points over 2 pairs/)
    expect(text[result + 1]).toBe('graded by the grader (its agreement with you on the task: accuracy 83%, kappa 0.67: trusted)')

    const json = JSON.parse((await cli(['report', got.verificationId, '--json'])).out) as VerificationView & { view?: VerificationView }
    const view = (json.view ?? json) as VerificationView
    expect(view.grader).toMatchObject({ runs: 4, of: 4, measured: { trusted: true, accuracy: 10 / 12 } })
  }, 240_000)

  it('a run the person grades since is theirs: the headline says how many the grader graded', async () => {
    const fb = await cli(['feedback', batchId])
    const first = fb.out.trim().split('\n')[0].replace(' (grader)', '')
    await writeFile(join(dir, 'mine.txt'), `${first}\n`)
    const g = await cli(['grade', batchId, '--file', join(dir, 'mine.txt')])
    expect(g.code, g.err).toBe(0)
    // `batch` says who graded each run, in its text and its JSON
    const batch = await cli(['batch', batchId])
    expect(batch.out.match(/^Run \d: done, (good|bad) \(grader\)/gm)).toHaveLength(3)
    const runs = (JSON.parse((await cli(['batch', batchId, '--json'])).out) as { runs: { gradedBy: string | null }[] }).runs
    expect(runs.map((r) => r.gradedBy).sort()).toEqual(['grader', 'grader', 'grader', 'person'])
    const report = await cli(['report', vid])
    expect(report.out).toContain('3 of 4 runs graded by the grader (its agreement with you on the task: accuracy 83%, kappa 0.67: trusted)')
  })
})
