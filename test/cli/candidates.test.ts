/**
 * `trace2skill candidates` from the built bundle, with the real `claude` and a scripted model whose
 * agent does better with one of three versions (and a grader grading the page it is shown): existing
 * versions verified with no skill in one blind batch, graded by the grader, and the table printed with
 * the suggested one; `report` prints the same table. Bad arguments are usage errors, before anything runs.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../src/main/app/service'
import type { CandidatesTable } from '../../src/shared/candidates'
import { candidatesScript, candidateVariations, plantCandidates } from '../support/candidates'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { cli } from '../support/cli'
import { startModelServer, type ModelServer } from '../support/model-server'
import { plantTaskWithRubric } from '../support/verify-grader'

describe('trace2skill candidates', () => {
  let server: ModelServer
  let dir = ''
  let env: Record<string, string> = {}

  beforeAll(async () => {
    server = await startModelServer(candidatesScript())
    dir = await mkdtemp(join(tmpdir(), 't2s-cli-candidates-'))
    const configDir = join(dir, 'claude')
    const dataDir = join(dir, 'data')
    await writeFile(
      join(dir, 'pasted.txt'),
      candidateVariations(6)
        .map((v, i) => `${i + 1}. [normal] ${v.prompt}`)
        .join('\n') + '\n'
    )
    const service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: claudeEnv(configDir, server.url) })
    try {
      const { taskId } = await plantTaskWithRubric(service)
      await plantCandidates(service, { taskId })
    } finally {
      await service.dispose()
    }
    env = {
      ...(claudeEnv(configDir, server.url) as Record<string, string>),
      TRACE2SKILL_DATA_DIR: dataDir,
      CHROMIUM_PATH: join(dir, 'no-chromium')
    }
  }, 60_000)
  afterAll(async () => {
    await server?.close()
  })

  const args = (...more: string[]) => [
    'candidates',
    '--versions',
    '1,2,3',
    '--skill',
    'landing-page',
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
    'auto',
    ...more
  ]

  it('bad arguments are usage errors before anything runs', async () => {
    const before = server.requests.length
    const noN = await cli(['candidates', 'some-batch'], env)
    expect(noN.code).toBe(2)
    expect(noN.stderr).toMatch(/--n: how many candidates to build from the batch \(2 to 5\)/)
    const one = await cli(['candidates', '--versions', '2', '--skill', 'landing-page'], env)
    expect(one.code).toBe(2)
    expect(one.stderr).toMatch(/--versions takes 2 to 5 different version numbers, not 2/)
    const noSkill = await cli(['candidates', '--versions', '1,2'], env)
    expect(noSkill.stderr).toMatch(/--versions needs --skill <skill>/)
    expect(server.requests.length).toBe(before)
  })

  it('verifies three versions and no skill, the grader grades, and the table suggests the one the agent does better with', async () => {
    const r = await cli(args(), env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/candidates: versions 1, 2, 3 and no skill; 6 variations x 1 repeat x 4 arms = 24 runs/)
    expect(r.stderr).toMatch(/cap: \$25\.00/)
    expect(r.stderr).toMatch(/every candidate and no skill in one queue, numbered at random/)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toContain('over the 6 variation-repeats graded in every arm:')
    expect(lines.find((l) => l.startsWith('  no skill: '))).toMatch(/^ {2}no skill: 0 of 6 \(0%, 95% CI 0% to 39%\); cost \$/)
    expect(lines.find((l) => l.startsWith('  version 2'))).toMatch(
      /^ {2}version 2 \(suggested\): 6 of 6 \(100%, 95% CI 61% to 100%\); against no skill \+100 points, fixed 6, broke 0, p = 0\.031; loaded in 6 of 6 \(100%\); cost \$/
    )
    expect(lines.find((l) => l.startsWith('  version 3'))).toMatch(
      /against no skill ±0 points, fixed 0, broke 0, p = 1\.00; loaded in 0 of 6 \(0%\)/
    )
    expect(lines).toContain(
      'suggested: version 2. version 2 beats no skill (+100 points: fixed 6, broke 0, p = 0.031), and it is the only candidate that does.'
    )
    expect(lines).toContain('next: trace2skill promote landing-page --version 2')

    const id = /^verification (\S+): candidates version 1, version 2, version 3 of landing-page and no skill/.exec(lines[0])?.[1]
    expect(id).toBeTruthy()
    const json = await cli(['report', id!, '--json'], env)
    expect(json.code, json.stderr).toBe(0)
    const got = JSON.parse(json.stdout) as { verification: { id: string }; candidates: CandidatesTable }
    expect(got.candidates.suggested).toBe(1)
    expect(got.candidates.rows.map((x) => x.passRate.passed)).toEqual([0, 0, 6, 0])
    const report = await cli(['report', id!], env)
    expect(report.code, report.stderr).toBe(0)
    expect(report.stdout).toContain('suggested: version 2.')
  }, 400_000)
})
