/**
 * Issue 18, "blind grading can be unblinded": until every run of a verification is graded, nothing
 * (the screens' data, events, the session browser, search, the web API, the CLI's JSON, the run
 * folders on disk) may map a deck number to its arm, its session or its metrics. With the real
 * `claude` and a scripted model whose runs call the `Skill` tool when a skill is installed: the run
 * folders are not named by deck number and hold no skill once a run ends; getBatch, the events, the
 * verification, its signals omit sessions and numbers; the runs' sessions are neither listed,
 * searched, opened, pinned nor imported; the CLI and the web API say the same. Once every run is
 * graded, the report, the runs' sessions and their folders (by run number) are there as before. A run
 * a crash left with the skill installed has it taken out at the next start.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { runCli } from '../../src/main/cli/cli'
import { startWebServer } from '../../src/main/web/server'
import type { Run } from '../../src/shared/runs'
import type { VerificationView } from '../../src/shared/verify'
import { seededInt } from '../../src/main/verify/plan'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { gradeOfPage, SKILL_NAME, skilledPrompt, verifyScript } from '../support/verify-script'
import { plantSkill } from '../support/skill'

const PASTED = [
  { difficulty: 'normal' as const, prompt: skilledPrompt('fixed', 'pasted: a dentist') },
  { difficulty: 'adversarial' as const, prompt: skilledPrompt('trap', 'pasted: a night club') }
]

describe('a verification stays blind until every run is graded', () => {
  let server: ModelServer
  let service: Service
  let dir = ''
  let configDir = ''
  let dataDir = ''
  let skillId = ''
  let view: VerificationView
  let batchId = ''
  /** the runs as the store holds them (what the person must not be shown) */
  let stored: Run[] = []
  const events: string[] = []
  const script = verifyScript()

  const cli = async (argv: string[]) => {
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(argv, {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: { CLAUDE_CONFIG_DIR: configDir, TRACE2SKILL_DATA_DIR: dataDir }
    })
    return { code, out: out.join('\n'), err: err.join('\n') }
  }
  const refusal = async (p: Promise<unknown>) => {
    const err = (await p.then(
      () => null,
      (e) => e
    )) as (Error & { code?: string }) | null
    expect(err, 'refused').toBeInstanceOf(Error)
    expect(err!.code).toBe('forbidden')
    expect(err!.message).toMatch(/graded blind/)
    expect(err!.message).toMatch(/once every one of its 4 runs is graded/)
    return err!
  }
  /** What must appear nowhere: each run's session id, and which arm its id is in. */
  const secrets = () => stored.map((r) => r.sessionId)

  beforeAll(async () => {
    server = await startModelServer(script)
    dir = await mkdtemp(join(tmpdir(), 't2s-blind-'))
    configDir = join(dir, 'claude')
    dataDir = join(dir, 'data')
    // watching the session folders, as the app does: what changes while the runs run is pushed too
    await mkdir(join(configDir, 'projects'), { recursive: true })
    service = await createService({
      configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: claudeEnv(configDir, server.url),
      random: seededInt(5),
      watch: true
    })
    await service.ready
    skillId = (await plantSkill(service)).skillId
    service.hub.subscribe((event, payload) => {
      if (event === 'runProgress' || event === 'verificationProgress' || event === 'sessionsChanged') events.push(JSON.stringify(payload))
    })
    view = await service.handlers.startVerification({
      skillId,
      repeats: 1,
      variations: { source: 'pasted', items: PASTED },
      settings: { claudePath: CLAUDE_BIN, concurrency: 2, maxTurns: 10, permission: 'accept-edits' }
    })
    await service.verify.idle(view.verification.id)
    batchId = (await service.store.verifications.get(view.verification.id))!.batchId!
    const doc = await service.store.batches.get(batchId)
    stored = structuredClone(service.store.batches.runsOf(doc!))
    expect(stored.map((r) => r.state)).toEqual(['done', 'done', 'done', 'done'])
  }, 240_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('the run folders are not named by deck number, and hold no installed skill once the run has ended', async () => {
    const names = await readdir(join(dataDir, 'workspaces', batchId))
    expect(names).toHaveLength(4)
    for (const name of names) {
      // blind-<the first 8 of its session>: nothing of its deck number (a batch's runs are run-<number>-<session>)
      expect(name).toMatch(/^blind-[0-9a-f]{8}$/)
      expect(stored.map((r) => `blind-${r.sessionId.slice(0, 8)}`)).toContain(name)
      // nothing of the skill is left: not its folder, not the folders made for it
      expect(existsSync(join(dataDir, 'workspaces', batchId, name, '.claude')), name).toBe(false)
    }
    // the runs did have it: each with-skill run called the Skill tool (its session file, read here directly)
    const v = (await service.store.verifications.get(view.verification.id))!
    for (const r of stored) {
      const text = await readFile((await service.index.findSession(r.sessionId))!.file, 'utf8')
      expect(/"name":"Skill","input"/.test(text), `run ${r.number}`).toBe(v.arms[r.id].arm === 'with')
    }
    // what was installed is kept in the verification's record
    const version = await service.handlers.getSkillVersion({ versionId: v.version.id })
    expect(v.installed).toEqual([
      {
        arm: 'with',
        versionId: v.version.id,
        name: SKILL_NAME,
        files: [
          {
            path: `.claude/skills/${SKILL_NAME}/SKILL.md`,
            bytes: Buffer.byteLength(version.skillMd),
            sha256: createHash('sha256').update(version.skillMd).digest('hex')
          }
        ]
      }
    ])
  })

  it('getBatch, its events and the signals carry no session, folder or numbers of its runs', async () => {
    const got = await service.handlers.getBatch({ batchId })
    expect(got.verificationId).toBe(view.verification.id)
    for (const r of got.runs) {
      expect(r.blind).toBe(true)
      expect(r.sessionId).toBe('')
      expect(r.projectId).toBeUndefined()
      expect(r.workspace).toBeUndefined()
      expect(r.startedAt).toBeUndefined()
      expect(r.endedAt).toBeUndefined()
      expect(r.progress).toEqual({ turns: 0, toolCalls: 0, tokens: 0, costUsd: 0, elapsedMs: 0 })
      // what is graded is there: the files, the answer
      expect(r.files.map((f) => f.path)).toEqual(['index.html'])
    }
    const text = JSON.stringify(got) + events.join('\n')
    for (const s of secrets()) expect(text).not.toContain(s)
    expect(text).not.toMatch(/"name":"Skill","input"|"currentTool":"Skill"/)
    expect(events.length).toBeGreaterThan(0)
    // the session files changing as the runs wrote them were not announced (their ids, by the moment, would name the runs)
    expect(events.filter((e) => JSON.parse(e).sessionIds)).toEqual([])
    for (const e of events) {
      const p = JSON.parse(e)
      if (p.verification) expect(p.verification.arms).toEqual({})
      if (p.run) expect(p.run.progress).toEqual({ turns: 0, toolCalls: 0, tokens: 0, costUsd: 0, elapsedMs: 0 })
    }
    const signals = await service.handlers.getSignals({ batchId })
    expect(signals.runs.map((s) => s.metrics)).toEqual([null, null, null, null])
    expect(signals.batch.signals).toEqual([])
    // a run graded now answers blind too
    const one = await service.handlers.saveFeedback({ runId: got.runs[0].id, label: 'good', text: '' })
    expect(one).toMatchObject({ blind: true, sessionId: '' })
    await service.handlers.saveFeedback({ runId: got.runs[0].id, label: null, text: '' })
  })

  it('the verification says no arm of any run and gives no report; explain, deepen and analyses wait for the grades', async () => {
    const got = await service.handlers.getVerification({ verificationId: view.verification.id })
    expect(got.verification.arms).toEqual({})
    expect(got.report).toBeNull()
    expect(got.blind).toMatchObject({ graded: 0, runs: 4 })
    const text = JSON.stringify(got) + JSON.stringify(await service.handlers.listVerifications({}))
    for (const r of stored) expect(text).not.toContain(r.id)
    for (const s of secrets()) expect(text).not.toContain(s)
    await expect(service.handlers.explainVerification({ verificationId: view.verification.id })).rejects.toThrow(/every run/)
    await expect(service.handlers.deepenFromVerification({ verificationId: view.verification.id })).rejects.toThrow(/every run/)
    await expect(service.handlers.startAnalysis({ batchId })).rejects.toThrow(/graded blind/)
    await expect(service.handlers.estimateAnalysis({ batchId })).rejects.toThrow(/graded blind/)
  })

  it('its runs\u2019 sessions are not listed, searched, opened, pinned or imported', async () => {
    const projects = await service.handlers.listProjects({})
    for (const p of projects) {
      expect(p.cwd ?? '').not.toContain(batchId)
      expect(p.id).not.toContain(batchId)
    }
    const found = (await service.index.findSession(stored[0].sessionId))!
    expect(found, 'the session is on disk').toBeTruthy()
    await refusal(service.handlers.listSessions({ projectId: found.projectId }))
    await refusal(service.handlers.searchSessions({ projectId: found.projectId, query: 'Skill' }))
    for (const r of stored) {
      await refusal(service.handlers.getTrace({ sessionId: r.sessionId }))
      await refusal(service.handlers.getTrace({ sessionId: r.sessionId, projectId: found.projectId }))
    }
    await refusal(service.handlers.pinSession({ sessionId: stored[0].sessionId, pinned: true }))
    await refusal(service.handlers.importSessions({ sessions: [{ sessionId: stored[1].sessionId }] }))
    await refusal(service.handlers.openFolder({ path: stored[0].workspace! }))
    await refusal(service.handlers.openFolder({ path: join(configDir, 'projects', found.projectId) }))
  })

  it('the web API answers the same', async () => {
    const web = await startWebServer({ handlers: service.handlers, hub: service.hub, staticDir: dir })
    try {
      const post = (name: string, body: unknown) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port: web.port,
              path: `/api/${name}`,
              method: 'POST',
              headers: { host: `127.0.0.1:${web.port}`, 'content-type': 'application/json', 'x-trace2skill-token': web.token }
            },
            (res) => {
              let text = ''
              res.on('data', (c) => (text += c))
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
            }
          )
          req.on('error', reject)
          req.end(JSON.stringify(body))
        })
      const batch = await post('getBatch', { batchId })
      expect(batch.status).toBe(200)
      const projects = await post('listProjects', {})
      const verification = await post('getVerification', { verificationId: view.verification.id })
      for (const s of secrets()) for (const x of [batch, projects, verification]) expect(x.body).not.toContain(s)
      expect(projects.body).not.toContain(batchId)
      const trace = await post('getTrace', { sessionId: stored[0].sessionId })
      expect(trace.status).toBe(403)
      expect(trace.body).toMatch(/graded blind/)
    } finally {
      await web.close()
    }
  })

  it('the CLI says the same: batch --json, trace, projects, sessions, report', async () => {
    const batch = await cli(['batch', view.verification.id, '--json'])
    expect(batch.code, batch.err).toBe(0)
    const b = JSON.parse(batch.out) as { runs: Record<string, unknown>[] }
    expect(b.runs).toHaveLength(4)
    for (const r of b.runs) {
      for (const key of ['sessionId', 'turns', 'toolCalls', 'costUsd', 'tokens', 'projectId', 'workspace', 'costSource'])
        expect(r[key] ?? null, key).toBeNull()
      expect(r.blind).toBe(true)
      // what a person grades by: the page itself
      expect(Object.keys(r.texts as object)).toEqual(['index.html'])
    }
    for (const s of secrets()) expect(batch.out).not.toContain(s)
    expect(batch.out).not.toContain(batchId + '/run-')
    const human = await cli(['batch', view.verification.id])
    for (const s of secrets()) expect(human.out).not.toContain(s)
    expect(human.out).not.toMatch(/trace2skill trace/)

    const trace = await cli(['trace', stored[0].sessionId, '--json'])
    expect(trace.code).toBe(1)
    expect(trace.out).toBe('')
    expect(trace.err).toMatch(/graded blind/)
    expect(trace.err).toMatch(/once every one of its 4 runs is graded/)
    const projects = await cli(['projects', '--json'])
    expect(projects.code, projects.err).toBe(0)
    expect(projects.out).not.toContain(batchId)
    const found = (await service.index.findSession(stored[0].sessionId))!
    const sessions = await cli(['sessions', found.projectId, '--json'])
    expect(sessions.code).toBe(1)
    expect(sessions.err).toMatch(/graded blind/)
    const report = await cli(['report', view.verification.id, '--json'])
    expect(report.code, report.err).toBe(0)
    expect(JSON.parse(report.out)).toMatchObject({ report: null, verification: { arms: {} } })
    for (const s of secrets()) expect(report.out).not.toContain(s)
    for (const r of stored) expect(report.out).not.toContain(r.id)
    const words = await cli(['report', view.verification.id])
    expect(words.out).toMatch(/blind/)
    expect(words.out).toMatch(/0 of 4 runs graded/)
  })

  it('once every run is graded: the report, the sessions and the run folders (by number) are there', async () => {
    const lines: string[] = []
    for (const r of [...stored].sort((a, b) => a.number - b.number)) {
      const html = await readFile(join(r.workspace!, 'index.html'), 'utf8')
      lines.push(`Run ${r.number}: ${gradeOfPage(html)} - page`)
    }
    // all but one: still blind
    const last = lines.pop()!
    expect((await service.handlers.importFeedback({ batchId, text: lines.join('\n') })).errors).toEqual([])
    expect((await service.handlers.getVerification({ verificationId: view.verification.id })).report).toBeNull()
    await refusal(service.handlers.getTrace({ sessionId: stored[0].sessionId }))
    expect((await service.handlers.importFeedback({ batchId, text: [...lines, last].join('\n') })).errors).toEqual([])

    const got = await service.handlers.getVerification({ verificationId: view.verification.id })
    expect(got.blind).toBeUndefined()
    expect(got.report!.complete).toBe(true)
    expect(Object.keys(got.verification.arms).sort()).toEqual(stored.map((r) => r.id).sort())
    const runs = (await service.handlers.getBatch({ batchId })).runs
    for (const r of runs) {
      const s = stored.find((x) => x.id === r.id)!
      expect(r.blind).toBeUndefined()
      expect(r.sessionId).toBe(s.sessionId)
      expect(r.workspace).toBe(s.workspace)
      expect(r.progress.turns).toBeGreaterThan(0)
    }
    const withRun = stored.find((r) => got.verification.arms[r.id].arm === 'with')!
    const trace = await service.handlers.getTrace({ sessionId: withRun.sessionId })
    expect(JSON.stringify(trace)).toMatch(/"name":"Skill"/)
    // the sidebar's run folders, by run number again
    const folders = (await service.handlers.listProjects({})).filter((p) => p.run?.batchId === batchId)
    expect(folders.map((p) => p.run!.number).sort()).toEqual([1, 2, 3, 4])
    const batch = JSON.parse((await cli(['batch', view.verification.id, '--json'])).out) as { runs: { sessionId: string }[] }
    expect(batch.runs.map((r) => r.sessionId).sort()).toEqual(secrets().sort())
  })

  it('a run a crash left with the skill installed has it taken out at the next start', async () => {
    const v = (await service.store.verifications.get(view.verification.id))!
    const r = stored.find((x) => v.arms[x.id].arm === 'with')!
    const version = await service.store.skills.version(v.version.id)
    // as the crash left it: the skill in its folder, the run still "running"
    const skillDir = join(r.workspace!, '.claude', 'skills', SKILL_NAME)
    await service.store.batches.update(batchId, (d) => void (d.runs[r.id].state = 'running'))
    await service.dispose()
    await mkdir(skillDir, { recursive: true })
    await writeFile(join(skillDir, 'SKILL.md'), version!.skillMd)
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: claudeEnv(configDir, server.url) })
    expect(existsSync(join(r.workspace!, '.claude'))).toBe(false)
    const after = (await service.store.batches.get(batchId))!.runs[r.id]
    expect(after.state).toBe('interrupted')
  })
})
