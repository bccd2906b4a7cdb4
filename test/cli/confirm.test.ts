/**
 * `trace2skill confirm` from the built bin, with the real `claude` and a scripted model (the agent of
 * ../support/confirm-script.ts: rule A's fix makes its bad variations pass, B's changes nothing, C
 * breaks a good variation): over the cap it is refused naming the rule left; graded by the grader it
 * waits as verify does and prints per rule its status, runs and text; graded by the person it says it
 * is blind and how to grade, and `report` then prints the same results.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../src/main/app/service'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { confirmScript, plantConfirmSkill, RULE } from '../support/confirm-script'
import { startModelServer, type ModelServer } from '../support/model-server'
import { gradeOfPage } from '../support/verify-script'
import { plantTaskWithRubric } from '../support/verify-grader'
import { cliIn } from './support'

describe('confirm from the command line', () => {
  let server: ModelServer
  let dir = ''
  let configDir = ''
  let dataDir = ''
  const script = confirmScript()
  const env = () => ({ ...claudeEnv(configDir, server.url), TRACE2SKILL_DATA_DIR: dataDir, CHROMIUM_PATH: join(dir, 'no-chromium') })
  const cli = (args: string[]) => cliIn(args, env())
  const RUN = ['--preset', 'accept-edits', '--claude', CLAUDE_BIN, '--max-turns', '10', '--concurrency', '2']

  beforeAll(async () => {
    server = await startModelServer(script)
    dir = await mkdtemp(join(tmpdir(), 't2s-cli-confirm-'))
    configDir = join(dir, 'claude')
    dataDir = join(dir, 'data')
    const service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: claudeEnv(configDir, server.url) })
    try {
      const { taskId } = await plantTaskWithRubric(service)
      await plantConfirmSkill(service, taskId)
    } finally {
      await service.dispose()
    }
  }, 60_000)
  afterAll(async () => {
    await server?.close()
  })

  it('refuses over the cap before anything runs, naming the rule left; a bad --per-rule is a usage error', async () => {
    const r = await cli(['confirm', 'landing-page', '--max-runs', '5', ...RUN])
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toMatch(/estimate: about \$1\.50 \(5 runs/)
    expect(r.stderr).toMatch(/trace2skill: 7 runs would be over the cap of 5: raise it \(--max-runs 7\).*left: Add a loud deal card/)
    expect(script.seen).toHaveLength(0)
    const bad = await cli(['confirm', 'landing-page', '--per-rule', 'two'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/per-rule/)
    expect((await cli(['verifications', '--json'])).stdout.trim()).toBe('[]')
  })

  it('--grade auto: waits, then prints per rule its status, its runs and its text', async () => {
    const r = await cli(['confirm', 'landing-page', '--grade', 'auto', ...RUN])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(
      /confirm the rules of landing-page version 1 drawn from bad runs: 3 rules \(1 other rule installed as they are in every run\); 7 runs, cap 40/
    )
    expect(r.stderr).toMatch(/graded by the grader: 7 of 7 runs/)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toContain('result: 1 confirmed, 1 unconfirmed, 1 harmful')
    const at = (text: string) => lines.findIndex((l) => l.endsWith(`: ${text}`))
    expect(lines[at(RULE.A)]).toBe(`  confirmed 2/2 (good variation kept 1/1): ${RULE.A}`)
    expect(lines[at(RULE.B)]).toBe(`  unconfirmed 0/1 (good variation kept 1/1): ${RULE.B}`)
    expect(lines[at(RULE.C)]).toBe(`  harmful: broke a good variation (good variation kept 0/1): ${RULE.C}`)
    expect(lines[at(RULE.A) + 1]).toMatch(/^ {4}runs: Run \d \(a (failure re-run|good variation): good\), Run \d .*, Run \d /)
    expect(lines[at(RULE.C) + 1]).toMatch(/a failure re-run: bad.*a good variation: bad|a good variation: bad.*a failure re-run: bad/)
    expect(lines.at(-1)).toMatch(/^next: remove the 1 harmful rule in the app's composer/)
  }, 240_000)

  it('graded by the person: blind, how to grade; then report prints the results', async () => {
    const r = await cli(['confirm', 'landing-page', '--json', ...RUN])
    expect(r.code, r.stderr).toBe(0)
    const got = JSON.parse(r.stdout) as { verificationId: string; batchId: string; blind: boolean; confirm: unknown; next: string }
    expect(got).toMatchObject({ blind: true, confirm: null })
    expect(got.next).toBe(
      `trace2skill grade ${got.verificationId} --file feedback.txt (7 runs not graded yet), then trace2skill report ${got.verificationId}`
    )
    const blind = await cli(['report', got.verificationId])
    expect(blind.stdout).toMatch(/blind: 0 of 7 runs graded; until every run is graded nothing says which rule a run tested/)
    expect(blind.stdout).toContain(`  pending: ${RULE.C}`)

    const b = JSON.parse((await cli(['batch', got.batchId, '--json'])).stdout) as {
      runs: { number: number; texts?: Record<string, string> }[]
    }
    const file = join(dir, 'feedback.txt')
    await writeFile(file, b.runs.map((x) => `Run ${x.number}: ${gradeOfPage(x.texts!['index.html'])} - the page`).join('\n') + '\n')
    const g = await cli(['grade', got.verificationId, '--file', file])
    expect(g.code, g.stderr).toBe(0)
    const report = await cli(['report', got.verificationId])
    expect(report.stdout).toContain('result: 1 confirmed, 1 unconfirmed, 1 harmful')
    expect(report.stdout).toContain(`  confirmed 2/2 (good variation kept 1/1): ${RULE.A}`)
    // listed among the verifications as what it is
    const list = await cli(['verifications'])
    expect(list.stdout).toMatch(/landing-page v1: rules confirmed\t.*\t1 confirmed, 1 unconfirmed, 1 harmful\t/)
    expect(list.stdout).not.toMatch(/against no skill/)
    expect(JSON.parse((await cli(['report', got.verificationId, '--json'])).stdout).confirm.counts).toEqual({
      confirmed: 1,
      unconfirmed: 1,
      harmful: 1,
      pending: 0
    })
  }, 240_000)
})
