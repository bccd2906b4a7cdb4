/**
 * `trace2skill verify --grade assist` end to end, with the real `claude` and one scripted model (the
 * grader unsure of the night-club pages): the runs run, the grader grades every one, and verify waits
 * for it, then says which deck numbers are left for the person (stderr, the text and the JSON);
 * `report` says the same; `trace2skill grade` grades them and the verification is complete. And
 * `pregrade`'s text says how many pre-grades are unsure, each marked with why.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../src/main/app/service'
import { runCli } from '../../src/main/cli/cli'
import { pregradeText } from '../../src/main/cli/commands/grader'
import type { Pregrade } from '../../src/shared/grading'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { plantSkill } from '../support/skill'
import { plantTaskWithRubric, verifyGraderScript } from '../support/verify-grader'
import { skilledPrompt } from '../support/verify-script'

const PASTED = [
  `1. [normal] ${skilledPrompt('fixed', 'pasted: a dentist')}`,
  `2. [normal] ${skilledPrompt('fixed', 'pasted: a night club')}`
]

describe('verify --grade assist from the command line', () => {
  let server: ModelServer
  let dir = ''
  let configDir = ''
  let dataDir = ''
  let skillId = ''
  const script = verifyGraderScript({ unsureOf: (text) => text.includes('night club') })

  const cli = async (argv: string[]) => {
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(argv, {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: { ...claudeEnv(configDir, server.url), TRACE2SKILL_DATA_DIR: dataDir, CHROMIUM_PATH: join(dir, 'no-chromium') }
    })
    return { code, out: out.join('\n'), err: err.join('\n') }
  }
  const verifyArgs = (grade: string) => [
    'verify',
    skillId,
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
    dir = await mkdtemp(join(tmpdir(), 't2s-cli-vassist-'))
    configDir = join(dir, 'claude')
    dataDir = join(dir, 'data')
    await writeFile(join(dir, 'pasted.txt'), PASTED.join('\n') + '\n')
    const service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: claudeEnv(configDir, server.url) })
    try {
      skillId = (await plantSkill(service, { taskId: (await plantTaskWithRubric(service)).taskId })).skillId
    } finally {
      await service.dispose()
    }
  }, 60_000)
  afterAll(async () => {
    await server?.close()
  })

  it('a --grade that is none of the three is a usage error that names assist', async () => {
    const bad = await cli(verifyArgs('robot'))
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(
      /--grade takes person .*, auto .* or assist \(the grader grades them, you grade the ones it is unsure of\), not robot/
    )
  })

  it('waits for the grader, says which deck numbers are left for you; grade them and it is complete', async () => {
    const r = await cli([...verifyArgs('assist'), '--json'])
    expect(r.code, r.err).toBe(0)
    expect(r.err).toMatch(/the grader grades the 4 runs with the task's rubric \(you grade the ones it is unsure of\)/)
    const got = JSON.parse(r.out) as {
      verificationId: string
      batchId: string
      next: string
      leftForYou: number[]
      status: { graded: number }
    }
    expect(script.graderRequests).toHaveLength(4)
    expect(got.leftForYou).toHaveLength(2)
    const left = [...got.leftForYou].sort((a, b) => a - b)
    expect(r.err).toContain(`graded by the grader: 2 of 4 runs`)
    expect(r.err).toContain(`unsure of Run ${left[0]}, Run ${left[1]}: left for you`)
    expect(got.status.graded).toBe(2)
    expect(got.next).toBe(`trace2skill grade ${got.verificationId} --file feedback.txt`)

    const report = await cli(['report', got.verificationId])
    expect(report.code, report.err).toBe(0)
    expect(report.out).toContain(`2 runs left for you: the grader was unsure (Runs ${left.join(', ')})`)
    expect(report.out).toMatch(/^blind: 2 of 4 runs graded/m)
    expect(report.out).not.toMatch(/^result: /m)

    await writeFile(join(dir, 'mine.txt'), left.map((n) => `Run ${n}: good - three clean cards`).join('\n') + '\n')
    const g = await cli(['grade', got.batchId, '--file', join(dir, 'mine.txt')])
    expect(g.code, g.err).toBe(0)
    const done = await cli(['report', got.verificationId])
    expect(done.out).toMatch(/^result: /m)
    expect(done.out).not.toContain('left for you')
    expect(done.out).toContain('2 of 4 runs graded by the grader')
  }, 240_000)

  it("pregrade's text says how many are unsure and marks each with why", () => {
    const entry = (runId: string, number: number, unsure?: string) => ({
      runId,
      number,
      label: 'good' as const,
      reason: 'clean',
      verdicts: [],
      at: '2026-01-01T00:00:00Z',
      ...(unsure ? { unsure: { why: unsure } } : {})
    })
    const p: Pregrade = {
      batchId: 'b',
      rubricId: 'r',
      rubricVersionId: 'rv',
      via: 'api',
      model: 'm',
      state: 'done',
      createdAt: '2026-01-01T00:00:00Z',
      progress: { done: 3, total: 3 },
      costUsd: 0,
      grades: { a: entry('a', 1), b: entry('b', 2, 'the screenshot is cut'), c: entry('c', 3) },
      failed: [],
      measured: null
    }
    const text = pregradeText(p, new Map(), 'b')
    expect(text).toContain('3 runs pre-graded by the grader (done), not yet confirmed by you; 1 unsure: look at those first:')
    expect(text).toContain("  Run 2: good (grader's, UNSURE) - clean [unsure: the screenshot is cut]")
    expect(text).toContain("  Run 1: good (grader's) - clean\n")
  })
})
