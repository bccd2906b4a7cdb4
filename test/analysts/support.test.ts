/**
 * Honest support, through the service with the real SDK against the scripted API: after the merge each
 * cited run is checked against the rules citing it (one call per run, a cached shared prefix); only the
 * runs the checker confirms count toward a rule's tier, the others stay on the rule as unconfirmed with
 * the checker's reason. A rule about a failure of the harness (a sandbox refusal) yields no rule. The
 * estimate counts the check; a cancel during the check ends it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import type { RunEvidence } from '../../src/main/analysts/evidence'
import { harnessRule } from '../../src/main/analysts/harness'
import { claudeCliModel } from '../../src/main/analysts/model'
import { checkSupport } from '../../src/main/analysts/support'
import { testRule } from '../support/builders'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import type { Analysis } from '../../src/shared/analysis'
import { DEFAULT_CHECK_MODEL } from '../../src/shared/models'
import { analystScript, firstMessageText, isClaudeStructured, type CheckVerdict } from '../support/analyst-script'
import { fixtureSessions } from '../support/fixture-sessions'
import { startModelServer, type ModelServer } from '../support/model-server'

const rule = (text: string, evidence: number[]) => ({
  rule: text,
  evidence,
  priority: 'high' as const,
  reason: `runs ${evidence.join(', ')}`
})

const SHOWN = 'Open the page in a browser before finishing'
const CONTROL_SIX = 'Run the build before finishing'
const CONTROL_THREE = 'Keep the hero to one call to action'
const SANDBOX = 'Enable the sandbox before running any command'
const SANDBOX_REASON = 'Claude Code could not start its sandbox: bubblewrap (bwrap) is not installed'

const behaviour = {
  success: { rules: [rule(SHOWN, [1, 2, 3, 4, 5, 6]), rule(CONTROL_THREE, [7, 8, 9])] },
  error: { rules: [rule(CONTROL_SIX, [10, 11, 12, 13, 14, 15]), rule(SANDBOX, [16, 17, 18])] }
}
/** The scripted checker confirms SHOWN in runs 1-3 only, everything else it is asked about. */
const check: CheckVerdict = (run, text) => (text === SHOWN && run > 3 ? `run ${run} never opened the page` : true)
const isCheck = (body: { tool_choice?: { name?: string } }) => body?.tool_choice?.name === 'check_support'

async function gradedService(server: ModelServer) {
  const configDir = await mkdtemp(join(tmpdir(), 't2s-support-claude-'))
  const dataDir = await mkdtemp(join(tmpdir(), 't2s-support-data-'))
  const ids = await fixtureSessions(configDir, 20)
  const service = await createService({
    configDir,
    dataDir,
    mode: 'web',
    version: 'test',
    env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: server.url }
  })
  const batch = await service.handlers.importSessions({ name: 'Landing pages', sessions: ids.map((sessionId) => ({ sessionId })) })
  const { runs } = await service.handlers.getBatch({ batchId: batch.id })
  for (const r of runs)
    await service.handlers.saveFeedback({ runId: r.id, label: r.number <= 10 ? 'good' : 'bad', text: `run ${r.number}` })
  // runs 16-20 were refused by Claude Code's sandbox: a failure of the harness
  await service.store.batches.update(batch.id, (d) => {
    for (const r of Object.values(d.runs))
      if (r.number >= 16) {
        r.state = 'failed'
        r.reason = SANDBOX_REASON
      }
  })
  return { service, batchId: batch.id }
}

describe('the support check after the merge', () => {
  let server: ModelServer
  let service: Service
  let batchId: string
  let analysis: Analysis
  const progress: Analysis[] = []

  beforeAll(async () => {
    server = await startModelServer(analystScript(behaviour, { check }))
    ;({ service, batchId } = await gradedService(server))
    service.hub.subscribe((event, payload) => event === 'analysisProgress' && progress.push((payload as { analysis: Analysis }).analysis))
    analysis = await service.handlers.startAnalysis({ batchId, model: 'claude-sonnet-5-5' })
    await service.analysisIdle(analysis.id)
    analysis = await service.handlers.getAnalysis({ analysisId: analysis.id })
  }, 120_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('counts only the confirmed runs, keeps the others as not confirmed with the reason, and the tier follows', async () => {
    expect(analysis.state).toBe('done')
    const { skill } = await service.handlers.getSkill({ skillId: analysis.skillId! })
    const find = (t: string) => skill.rules.find((r) => r.text === t)!
    const shown = find(SHOWN)
    expect(shown.evidence).toEqual([1, 2, 3])
    expect(shown.unconfirmed).toEqual([4, 5, 6].map((run) => ({ run, reason: `run ${run} never opened the page` })))
    // its tier is that of a rule shown by three runs, not of one cited by six
    expect(find(CONTROL_THREE)).toMatchObject({ evidence: [7, 8, 9] })
    expect(find(CONTROL_THREE).unconfirmed).toBeUndefined()
    expect(find(CONTROL_SIX)).toMatchObject({ evidence: [10, 11, 12, 13, 14, 15] })
    expect(shown.tier).toBe(find(CONTROL_THREE).tier)
    expect(shown.tier).not.toBe(find(CONTROL_SIX).tier)
    // the analysis says what the check did
    expect(analysis.support).toMatchObject({ state: 'done', runs: 15, checked: 15, confirmed: 12, unconfirmed: 3 })
    expect(analysis.support!.costUsd).toBeGreaterThan(0)
    expect(progress.some((p) => p.support?.state === 'running' && p.support.checked < 15)).toBe(true)
  })

  it('asks one cheap call per cited run, each with that run and the rules citing it, after a shared cached prefix', () => {
    const checks = server.requests.filter((r) => isCheck(r.body))
    expect(checks).toHaveLength(15)
    const asked = checks.map((r) => /Check these rules against run (\d+)/.exec(firstMessageText(r.body))![1]).map(Number)
    expect(asked.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])
    for (const r of checks) {
      expect(r.body.model).toMatch(/haiku/)
      const [prefix] = r.body.messages[0].content
      // the same prefix in every call, marked for the cache
      expect(prefix.text).toBe(checks[0].body.messages[0].content[0].text)
      expect(prefix.cache_control).toEqual({ type: 'ephemeral' })
      // the run's own evidence comes after it, fenced
      const run = /Check these rules against run (\d+)/.exec(firstMessageText(r.body))![1]
      expect(r.body.messages[0].content[1].text).toMatch(new RegExp(`<<<RUN ${run} DATA \\w+ `))
    }
  })

  it('sets a rule about a failure of the harness aside, and tells the analysts such failures are no lessons', async () => {
    const { skill } = await service.handlers.getSkill({ skillId: analysis.skillId! })
    expect(skill.rules.some((r) => /sandbox/i.test(r.text))).toBe(false)
    const aside = skill.setAside.find((s) => s.rule.rule === SANDBOX)
    expect(aside?.why).toMatch(/failure of the harness/)
    // shown with the error analyst's other set-aside rules, and said in the warnings
    const error = analysis.analysts.find((x) => x.kind === 'error')!
    expect(error.rules.map((r) => r.rule)).toEqual([CONTROL_SIX])
    expect(error.setAside.map((x) => x.rule.rule)).toEqual([SANDBOX])
    expect(analysis.warnings.some((w) => w.includes(SANDBOX) && /failure of the harness/.test(w))).toBe(true)
    // no check was spent on it either (runs 16-18 are cited by it only)
    const analystRequest = server.requests.find((r) => r.body?.tools?.some((t: { name: string }) => t.name === 'propose_rules'))!
    expect(analystRequest.body.system[0].text).toMatch(/Failures of the harness are not lessons/)
    // the analysts read why a run ended
    expect(firstMessageText(analystRequest.body)).toContain(`Run state: failed (${SANDBOX_REASON})`)
  })

  it('includes the check in the estimate before the analysis starts', async () => {
    const est = await service.handlers.estimateAnalysis({ batchId, model: 'claude-sonnet-5-5' })
    expect(est.support).toBeDefined()
    expect(est.support!.calls).toBe(20)
    expect(est.support!.model).toMatch(/haiku/)
    expect(est.support!.usd).toBeGreaterThan(0)
    expect(est.usd).toBeCloseTo(est.analysts.usd! + est.merge.usd! + est.support!.usd!, 10)
    expect(est.basis).toMatch(/support check/)
  })
})

describe('a cancel during the support check', () => {
  let server: ModelServer
  let service: Service
  let batchId: string
  let release!: () => void
  const held = new Promise<void>((r) => (release = r))

  beforeAll(async () => {
    const script = analystScript(behaviour, { check })
    // every check call waits until the test lets it go
    server = await startModelServer(async (req) => {
      if (isCheck(req.body)) await held
      return script(req)
    })
    ;({ service, batchId } = await gradedService(server))
  }, 120_000)
  afterAll(async () => {
    release()
    await service?.dispose()
    await server?.close()
  })

  it('ends the check and the analysis, and saves no skill', async () => {
    let a = await service.handlers.startAnalysis({ batchId, model: 'claude-sonnet-5-5' })
    // wait for the first check call to reach the model
    while (!server.requests.some((r) => isCheck(r.body))) await new Promise((r) => setTimeout(r, 20))
    await service.handlers.cancelAnalysis({ analysisId: a.id })
    await service.analysisIdle(a.id)
    release()
    a = await service.handlers.getAnalysis({ analysisId: a.id })
    expect(a.state).toBe('cancelled')
    expect(a.support?.state).toBe('cancelled')
    expect(a.skillId).toBeUndefined()
    // the first call (the cache's writer) was the only one made
    expect(server.requests.filter((r) => isCheck(r.body))).toHaveLength(1)
  }, 60_000)
})

describe('the support check through claude -p', () => {
  let server: ModelServer
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 't2s-support-cli-'))
    server = await startModelServer(analystScript({}, { check: (run) => (run === 1 ? true : `run ${run} wrote no build step`) }))
  })
  afterAll(async () => {
    await server?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('checks each cited run with claude’s structured output and keeps what did not hold', async () => {
    const run = (number: number): RunEvidence => ({
      number,
      prompt: `variation ${number}`,
      label: 'good',
      feedback: 'fine',
      state: 'done',
      trace: null,
      metrics: null,
      outputs: [],
      shots: []
    })
    const out = await checkSupport({
      port: claudeCliModel({ claudePath: CLAUDE_BIN, env: claudeEnv(dir, server.url), cwd: dir, timeoutMs: 120_000 }),
      model: DEFAULT_CHECK_MODEL,
      task: { name: 'Landing page', text: 'Build a landing page.' },
      rules: [testRule({ text: 'Run the build before finishing', evidence: [1, 2] })],
      runs: [run(1), run(2)],
      tag: 'abc123',
      signal: new AbortController().signal
    })
    expect(out.warnings).toEqual([])
    expect(out.rules[0].evidence).toEqual([1])
    expect(out.rules[0].unconfirmed).toEqual([{ run: 2, reason: 'run 2 wrote no build step' }])
    expect(out).toMatchObject({ runs: 2, checked: 2, confirmed: 1, unconfirmed: 1 })
    expect(server.requests.filter((r) => isClaudeStructured(r.body) && /check_support/.test(firstMessageText(r.body)))).toHaveLength(2)
  }, 180_000)
})

describe('a rule about a failure of the harness', () => {
  const reasons: Record<number, string> = {
    1: 'Claude Code could not start its sandbox: bwrap missing',
    2: 'Claude Code could not start its sandbox: bwrap missing',
    3: 'hit the turn limit (30 turns)',
    4: 'authentication failed: invalid x-api-key'
  }
  const of = (n: number) => reasons[n]
  it('is one when every run it cites failed for such a reason and its text is about it', () => {
    expect(harnessRule({ rule: 'Install bubblewrap so the sandbox can start', evidence: [1, 2] }, of)).toMatch(
      /the sandbox could not start/
    )
    expect(harnessRule({ rule: 'Raise the max turns for long pages', evidence: [3] }, of)).toMatch(/the turn limit/)
    expect(harnessRule({ rule: 'Check the API key before starting', evidence: [4] }, of)).toMatch(/authentication failed/)
  })
  it('is not one when a cited run ended well, or the text is about the task', () => {
    expect(harnessRule({ rule: 'Install bubblewrap so the sandbox can start', evidence: [1, 5] }, of)).toBeNull()
    expect(harnessRule({ rule: 'Keep one call to action in the hero', evidence: [1, 2] }, of)).toBeNull()
    expect(harnessRule({ rule: 'Raise the max turns', evidence: [] }, of)).toBeNull()
  })
})
