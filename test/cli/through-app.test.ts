/**
 * The command line beside the running app: the app (here its service with the local API the desktop
 * app serves; and `trace2skill web` in a child process) holds the data folder and says where it answers
 * in a file only its user can read; the CLI's writing commands go through it as its client (run with
 * its progress from the app's events, grade, analyze, export, verify), the app's own store sees each
 * change, the reading commands still read the folder themselves. The file goes when the app stops; one
 * left by an app that was killed is not used.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { serveAppApi } from '../../src/main/web/app-api'
import { ENDPOINT_FILE } from '../../src/main/web/endpoint'
import type { WebServer } from '../../src/main/web/server'
import { BIN } from '../support/cli'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { gradeOfPage, SKILL_NAME, skilledPrompt, verifyScript } from '../support/verify-script'
import { cliIn, oneLine, storedFeedback, type Result } from './support'

const rule = (text: string, evidence: number[]) => ({
  rule: text,
  evidence,
  priority: 'high' as const,
  reason: `runs ${evidence.join(', ')}`
})
const GOING_THROUGH = /^the data folder is held by the desktop app \(pid \d+\): going through it$/m

describe('the command line through the running app', () => {
  let server: ModelServer
  let dir: string
  let configDir: string
  let dataDir: string
  let app: Service
  let api: WebServer
  let batchId = ''
  const endpointFile = () => join(dataDir, ENDPOINT_FILE)
  // the CLI's own environment points nowhere useful: what runs, runs in the app, with the app's
  const cli = (args: string[], input?: string) =>
    cliIn(args, { TRACE2SKILL_DATA_DIR: dataDir, CLAUDE_CONFIG_DIR: configDir, ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' }, input)
  const json = <T>(r: Result): T => {
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout) as T
  }
  const gradeByPages = async (batch: string, file: string) => {
    const b = json<{ runs: { number: number; workspace: string }[] }>(await cli(['batch', batch, '--json']))
    const lines: string[] = []
    for (const r of b.runs) lines.push(`Run ${r.number}: ${gradeOfPage(await readFile(join(r.workspace, 'index.html'), 'utf8'))} - seen`)
    await writeFile(file, lines.join('\n') + '\n')
    return cli(['grade', batch, '--file', file])
  }
  /** the app's own view of a batch's grades, by run number */
  const appGrades = async (id: string) =>
    Object.fromEntries((await app.handlers.getBatch({ batchId: id })).runs.map((r) => [r.number, r.feedback?.label ?? null]))

  beforeAll(async () => {
    server = await startModelServer(
      verifyScript({
        analysts: {
          error: { rules: [rule('Keep the page to three cards', [1, 2])] },
          success: { rules: [rule('Read the brief before writing the page', [1, 2])] }
        }
      })
    )
    dir = await mkdtemp(join(tmpdir(), 't2s-cli-app-'))
    configDir = join(dir, 'claude')
    dataDir = join(dir, 'data')
    await writeFile(join(dir, 'Landing page.txt'), 'Build a landing page.')
    await writeFile(
      join(dir, 'variations.txt'),
      `1. [normal] ${skilledPrompt('fixed', 'one: a rocket company')}\n2. [easy] ${skilledPrompt('good', 'two: a library')}\n`
    )
    // as the desktop app starts: its service holds the data folder, then the local API for the CLI
    const env = { ...claudeEnv(configDir, server.url), CHROMIUM_PATH: join(dir, 'no-chromium') }
    app = await createService({ configDir, dataDir, mode: 'web', version: 'test', env, owner: 'the desktop app' })
    api = await serveAppApi({ handlers: app.handlers, hub: app.hub, dataDir, what: 'the desktop app' })
  })
  afterAll(async () => {
    await api?.close()
    await app?.dispose()
    await server?.close()
  })

  it('says where it answers in a file only its user can read, on loopback, with its pid', async () => {
    const st = await stat(endpointFile())
    expect(st.mode & 0o777).toBe(0o600)
    const e = JSON.parse(await readFile(endpointFile(), 'utf8'))
    expect(e).toMatchObject({ url: `http://127.0.0.1:${api.port}`, token: api.token, pid: process.pid, what: 'the desktop app' })
  })

  it('run goes through the app: its runs run there, with progress from the app, and its store has them', async () => {
    const r = await cli([
      'run',
      '--task',
      join(dir, 'Landing page.txt'),
      '--variations',
      join(dir, 'variations.txt'),
      '--concurrency',
      '2',
      '--max-turns',
      '10',
      '--claude',
      CLAUDE_BIN,
      '--preset',
      'accept-edits'
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(GOING_THROUGH)
    expect(r.stderr).not.toMatch(/in use by/)
    // each run's line as it finishes: the app's events reached this process
    const progress = r.stderr.split('\n').filter((l) => /^Run \d: /.test(l))
    expect(progress.sort()).toEqual([
      expect.stringMatching(/^Run 1: done \[[12] of 2 finished/),
      expect.stringMatching(/^Run 2: done \[[12] of 2/)
    ])
    batchId = /^batch (\S+) "Landing page #1": 2 of 2 runs done$/m.exec(r.stdout)![1]
    const inApp = await app.handlers.getBatch({ batchId })
    expect(inApp.runs.map((x) => x.state)).toEqual(['done', 'done'])
    expect(r.stdout).toContain(`results: ${dataDir}`)
  }, 180_000)

  it('grade goes through the app (its store sees the grades); feedback reads them back', async () => {
    expect(await appGrades(batchId)).toEqual({ 1: null, 2: null })
    const g = await gradeByPages(batchId, join(dir, 'feedback.txt'))
    expect(g.code, g.stderr).toBe(0)
    expect(g.stderr).toMatch(GOING_THROUGH)
    expect(g.stdout).toContain('2 of 2 runs graded in "Landing page #1" (2 changed)')
    expect(await appGrades(batchId)).toEqual({ 1: 'bad', 2: 'good' })
    // saved by the app, where the reading commands (and a restart) find them
    expect(await storedFeedback(dataDir, batchId)).toMatchObject({ 1: { label: 'bad' }, 2: { label: 'good' } })
    const fb = await cli(['feedback', batchId])
    expect(fb.code, fb.stderr).toBe(0)
    expect(fb.stdout).toBe(await readFile(join(dir, 'feedback.txt'), 'utf8'))
    // a bad line: refused through the app as alone, nothing applied
    await writeFile(join(dir, 'bad.txt'), 'Run 1: maybe - unsure\n')
    const bad = await cli(['grade', batchId, '--file', join(dir, 'bad.txt')])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/nothing applied/)
    expect(await appGrades(batchId)).toEqual({ 1: 'bad', 2: 'good' })
  })

  it('analyze, export and verify go through the app', async () => {
    const a = await cli(['analyze', batchId])
    expect(a.code, a.stderr).toBe(0)
    expect(a.stderr).toMatch(GOING_THROUGH)
    expect(a.stdout).toContain(`(${SKILL_NAME})`)
    expect((await app.handlers.listSkills({})).map((s) => s.frontMatter.name)).toEqual([SKILL_NAME])

    const out = await mkdtemp(join(dir, 'project-'))
    const e = await cli(['export', SKILL_NAME, out])
    expect(e.code, e.stderr).toBe(0)
    expect(e.stderr).toMatch(GOING_THROUGH)
    expect(await readFile(join(out, '.claude', 'skills', SKILL_NAME, 'SKILL.md'), 'utf8')).toContain(`name: ${SKILL_NAME}`)

    await writeFile(
      join(dir, 'pasted.json'),
      JSON.stringify([
        { difficulty: 'normal', prompt: skilledPrompt('fixed', 'pasted: a dentist') },
        { difficulty: 'easy', prompt: skilledPrompt('good', 'pasted: a zoo') }
      ])
    )
    const v = await cli([
      'verify',
      SKILL_NAME,
      '--variations',
      join(dir, 'pasted.json'),
      '--repeats',
      '1',
      '--concurrency',
      '2',
      '--max-turns',
      '10',
      '--claude',
      CLAUDE_BIN,
      '--preset',
      'accept-edits'
    ])
    expect(v.code, v.stderr).toBe(0)
    expect(v.stderr).toMatch(GOING_THROUGH)
    const err = v.stderr.split('\n')
    expect(err).toContainEqual(
      expect.stringMatching(new RegExp(`^verification \\S+: batch \\S+ "Verify ${SKILL_NAME} v1 against no skill #1": 4 runs`))
    )
    for (let n = 1; n <= 4; n++) expect(err).toContainEqual(expect.stringMatching(new RegExp(`^Run ${n}: done \\[\\d of 4 finished`)))
    const vid = /^verification (\S+): .* 4 of 4 runs done$/m.exec(v.stdout)![1]
    expect((await app.handlers.getVerification({ verificationId: vid })).status).toMatchObject({ runs: 4, finished: 4 })
    // a reading command, in this process, sees it too
    const list = json<{ id: string }[]>(await cli(['verifications', '--json']))
    expect(list.map((x) => x.id)).toEqual([vid])
  }, 300_000)

  it('a stale endpoint file (its app was killed) is not used: alone, the command runs itself; beside a live holder, it is refused saying why', async () => {
    // a live holder whose file this is not (an app that did not publish, killed before it could)
    await writeFile(join(dir, 'one-line.txt'), 'Run 1: good - fine\n')
    const dead = spawn(process.execPath, ['-e', '0'])
    const deadPid = await new Promise<number>((r) => dead.on('exit', () => r(dead.pid!)))
    const other = await mkdtemp(join(dir, 'other-'))
    const otherData = join(other, 'data')
    const stale = (data: string) =>
      writeFile(
        join(data, ENDPOINT_FILE),
        JSON.stringify({
          url: `http://127.0.0.1:${api.port}`,
          token: api.token,
          pid: deadPid,
          what: 'the desktop app',
          startedAt: new Date().toISOString()
        }),
        { mode: 0o600 }
      )
    const holder = await createService({ configDir, dataDir: otherData, mode: 'web', version: 'test', env: {}, owner: 'the desktop app' })
    try {
      await stale(otherData)
      const r = await cliIn(['grade', 'x', '--file', join(dir, 'one-line.txt')], {
        TRACE2SKILL_DATA_DIR: otherData,
        CLAUDE_CONFIG_DIR: configDir
      })
      expect(r.code).toBe(1)
      const line = oneLine(r)
      expect(line).toContain(`is in use by the desktop app (pid ${process.pid}`)
      expect(line).toContain(`It cannot be gone through: ${join(otherData, ENDPOINT_FILE)} is stale: its app (pid ${deadPid}) has stopped.`)
    } finally {
      await holder.dispose()
    }
    // nobody holds it now: the stale file is ignored and the command runs itself
    const alone = await cliIn(['grade', 'x', '--file', join(dir, 'one-line.txt')], {
      TRACE2SKILL_DATA_DIR: otherData,
      CLAUDE_CONFIG_DIR: configDir
    })
    expect(alone.stderr).not.toMatch(/going through|in use by/)
    expect(oneLine(alone)).toMatch(/^trace2skill: no such batch: x/)
  })

  it('a file readable by others is not trusted', async () => {
    await writeFile(join(dir, 'one-line.txt'), 'Run 1: good - fine\n')
    const other = await mkdtemp(join(dir, 'open-'))
    const data = join(other, 'data')
    const holder = await createService({ configDir, dataDir: data, mode: 'web', version: 'test', env: {}, owner: 'the desktop app' })
    const served = await serveAppApi({ handlers: holder.handlers, hub: holder.hub, dataDir: data, what: 'the desktop app' })
    try {
      const { chmod } = await import('node:fs/promises')
      await chmod(join(data, ENDPOINT_FILE), 0o644)
      const r = await cliIn(['grade', 'x', '--file', join(dir, 'one-line.txt')], {
        TRACE2SKILL_DATA_DIR: data,
        CLAUDE_CONFIG_DIR: configDir
      })
      expect(oneLine(r)).toContain('can be read by others (it must be 0600)')
    } finally {
      await served.close()
      await holder.dispose()
    }
  })

  it('`trace2skill web` serves the CLI too; its endpoint file goes when it stops; then the CLI runs alone', async () => {
    // the app above stops first: its file goes with it
    await api.close()
    await app.dispose()
    expect(existsSync(endpointFile())).toBe(false)

    const web = spawn(process.execPath, [BIN, 'web', '--port', '0'], {
      env: { ...process.env, ...claudeEnv(configDir, server.url), TRACE2SKILL_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let webErr = ''
    web.stderr.on('data', (d) => (webErr += d))
    const exited = new Promise<number | null>((r) => web.on('exit', (code) => r(code)))
    try {
      await new Promise<void>((resolve, reject) => {
        let out = ''
        web.stdout.on('data', (d) => {
          out += d
          if (out.includes('trace2skill web: http://127.0.0.1:')) resolve()
        })
        void exited.then(() => reject(new Error(`web stopped: ${webErr}`)))
      })
      const e = JSON.parse(await readFile(endpointFile(), 'utf8'))
      expect(e).toMatchObject({ pid: web.pid, what: '`trace2skill web`' })
      expect((await stat(endpointFile())).mode & 0o777).toBe(0o600)
      await writeFile(join(dir, 'regrade.txt'), 'Run 1: good - fine after all\n')
      const g = await cli(['grade', batchId, '--file', join(dir, 'regrade.txt')])
      expect(g.code, g.stderr).toBe(0)
      expect(g.stderr).toMatch(new RegExp(`^the data folder is held by \`trace2skill web\` \\(pid ${web.pid}\\): going through it$`, 'm'))
    } finally {
      web.kill('SIGINT')
    }
    expect(await exited).toBe(0)
    expect(existsSync(endpointFile())).toBe(false)
    expect(await storedFeedback(dataDir, batchId)).toMatchObject({ 1: { label: 'good', text: 'fine after all' } })
    // nobody holds the folder: the CLI runs itself, as before
    const alone = await cli(['grade', batchId, '--file', join(dir, 'feedback.txt')])
    expect(alone.code, alone.stderr).toBe(0)
    expect(alone.stderr).not.toMatch(/going through/)
    expect(await storedFeedback(dataDir, batchId)).toMatchObject({ 1: { label: 'bad' } })
  }, 60_000)
})
