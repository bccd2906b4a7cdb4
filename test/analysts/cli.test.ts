/**
 * `trace2skill analyze` and `trace2skill export` through the built bin: a graded batch of imported
 * sessions (made with a service that is then closed), four analysts against the scripted API, the
 * skill printed as JSON with progress on stderr, the export written to disk (or only planned), Ctrl+C
 * cancelling cleanly, and bad arguments refused with one line.
 */
import { execFile, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../src/main/app/service'
import type { Analysis } from '../../src/shared/analysis'
import type { SkillView } from '../../src/shared/contract'
import { analystScript, isAnalystRequest } from '../support/analyst-script'
import { REPO } from '../support/claude-harness'
import { fixtureSessions } from '../support/fixture-sessions'
import { startModelServer, type ModelServer } from '../support/model-server'

const run = promisify(execFile)
const BIN = join(REPO, 'bin', 'trace2skill.mjs')
const KINDS = ['error', 'success', 'structure', 'edge'] as const
const rule = (text: string, evidence: number[], priority: 'high' | 'medium' | 'low' = 'high') => ({
  rule: text,
  evidence,
  priority,
  reason: `runs ${evidence.join(', ')}`
})

type Result = { code: number; stdout: string; stderr: string }

describe('trace2skill analyze and export', () => {
  let server: ModelServer
  let slow: ModelServer
  let configDir: string
  let dataDir: string
  let batchId: string
  const dupIds: string[] = []
  let analysed: Result
  let out: { analysis: Analysis; skill: SkillView | null }

  const env = (url = server.url) => ({
    ...process.env,
    CLAUDE_CONFIG_DIR: configDir,
    TRACE2SKILL_DATA_DIR: dataDir,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: url
  })
  async function cli(args: string[], url?: string): Promise<Result> {
    try {
      const r = await run(process.execPath, [BIN, ...args], { env: env(url), maxBuffer: 64 * 1024 * 1024 })
      return { code: 0, stdout: r.stdout, stderr: r.stderr }
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string }
      return { code: e.code, stdout: e.stdout, stderr: e.stderr }
    }
  }
  const oneLine = (r: Result) => {
    const lines = r.stderr.trim().split('\n')
    expect(lines, r.stderr).toHaveLength(1)
    expect(lines[0]).toMatch(/^trace2skill: /)
    return lines[0]
  }

  beforeAll(async () => {
    server = await startModelServer(
      analystScript({
        error: { rules: [rule('Never inline the styles', [4, 5]), rule('Run the build before finishing', [4, 5, 6, 7, 8])] },
        success: { rules: [rule('Always inline the styles', [1, 2, 3, 9]), rule('Run the build before finishing.', [1, 2, 3])] },
        structure: { malformed: true, rules: [] },
        edge: { rules: [rule('Before writing index.html, check the folder is empty', [7, 8])] }
      })
    )
    // analysts that take a minute to answer: for Ctrl+C
    const hold = { rules: [], delayMs: 60_000 }
    slow = await startModelServer(analystScript({ error: hold, success: hold, structure: hold, edge: hold }))
    configDir = await mkdtemp(join(tmpdir(), 't2s-cli-analyse-claude-'))
    dataDir = await mkdtemp(join(tmpdir(), 't2s-cli-analyse-data-'))
    const ids = await fixtureSessions(configDir, 9)
    const service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: {} })
    try {
      const batch = await service.handlers.importSessions({ name: 'Landing pages', sessions: ids.map((sessionId) => ({ sessionId })) })
      batchId = batch.id
      const { runs } = await service.handlers.getBatch({ batchId })
      for (const r of runs)
        await service.handlers.saveFeedback({
          runId: r.id,
          label: r.number <= 3 || r.number === 9 ? 'good' : 'bad',
          text: `run ${r.number}`
        })
      // two ungraded batches of the same name
      for (let i = 0; i < 2; i++)
        dupIds.push((await service.handlers.importSessions({ name: 'twins', sessions: [{ sessionId: ids[i] }] })).id)
    } finally {
      // the CLI process opens the store next
      await service.dispose()
    }
    analysed = await cli(['analyze', 'Landing pages', '--json', '--model', 'claude-sonnet-5-5', '--merge-model', 'claude-haiku-4-5'])
    out = JSON.parse(analysed.stdout || 'null')
  }, 120_000)
  afterAll(async () => {
    await server?.close()
    await slow?.close()
  })

  it('analyses the batch named on the command line and prints the analysis and its skill as JSON', () => {
    expect(analysed.code, analysed.stderr).toBe(0)
    expect(out.analysis).toMatchObject({
      batchId,
      state: 'done',
      model: 'claude-sonnet-5-5',
      mergeModel: 'claude-haiku-4-5',
      context: { runs: 9 }
    })
    expect(Object.fromEntries(out.analysis.analysts.map((a) => [a.kind, a.state]))).toEqual({
      error: 'done',
      success: 'done',
      structure: 'failed',
      edge: 'done'
    })
    expect(out.skill).not.toBeNull()
    expect(out.skill!.skill.id).toBe(out.analysis.skillId)
    expect(out.skill!.skill.frontMatter.name).toBe('landing-page')
    expect(out.skill!.skillMd).toMatch(/^---\nname: landing-page\n/)
    expect(out.skill!.problems).toEqual([])
    // the model server really was asked: four analysts and the merge
    expect(server.requests.filter((r) => isAnalystRequest(r.body))).toHaveLength(4)
    expect(server.requests.filter((r) => r.body?.tool_choice?.name === 'merge_rules')).toHaveLength(1)
    // with the key from ANTHROPIC_API_KEY (the SDK sends it as x-api-key or as a bearer token)
    expect(server.requests.map((r) => r.headers['x-api-key'] ?? r.headers.authorization)).toEqual(
      server.requests.map(() => expect.stringMatching(/^(Bearer )?test-key$/))
    )
  })

  it('prints a progress line per analyst state change on stderr', () => {
    const lines = analysed.stderr.trim().split('\n')
    for (const kind of KINDS) {
      const mine = lines.filter((l) => l.startsWith(`${kind} analyst: `))
      // one line per change (the service may fold a fast change into the next): started, then ended
      const states = mine.map((l) => l.split(': ')[1].split(' ')[0])
      expect(states.length, `${kind}: ${mine.join(' | ')}`).toBeGreaterThanOrEqual(2)
      expect(['waiting', 'streaming']).toContain(states[0])
      expect(states.filter((s, i) => s === states[i - 1])).toEqual([])
      for (const l of mine) expect(l).toMatch(/^\w+ analyst: \w+ \([\d,]+ tokens, \$\d+\.\d\d(, attempt \d+)?\)(: .*)?$/)
    }
    // the first analyst streams while the others wait for its cache
    expect(lines).toContainEqual(expect.stringMatching(/^error analyst: streaming \([\d,]+ tokens, \$\d+\.\d\d\)$/))
    for (const kind of ['error', 'success', 'edge'])
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${kind} analyst: done \\([\\d,]+ tokens, \\$\\d+\\.\\d\\d\\)$`)))
    expect(lines).toContainEqual(expect.stringMatching(/^structure analyst: failed \(.*\): bad answer/))
    // the token counts are real: the final line of a finished analyst counts what the server reported
    const done = lines.find((l) => l.startsWith('edge analyst: done'))!
    expect(Number(/\(([\d,]+) tokens/.exec(done)![1].replace(/,/g, ''))).toBeGreaterThan(0)
    expect(lines).toContain('merging the rules into a skill')
    // the evidence being made ready is said once, first
    expect(lines[0]).toBe('Preparing the evidence of 9 runs…')
    expect(lines.filter((l) => l.startsWith('Preparing'))).toHaveLength(1)
    // stdout is only the JSON
    expect(analysed.stdout.trim().startsWith('{')).toBe(true)
  })

  it('exports the skill by its name into a folder and prints what it wrote', async () => {
    const folder = await mkdtemp(join(tmpdir(), 't2s-cli-export-'))
    const r = await cli(['export', 'landing-page', folder, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const result = JSON.parse(r.stdout) as { folder: string; written: string[]; unchanged: string[]; backups: unknown[] }
    expect(result.written).toEqual([
      '.claude/skills/landing-page/SKILL.md',
      '.claude/skills/landing-page/references/edge-cases.md',
      '.claude/agents/error-analyst.md',
      '.claude/agents/success-analyst.md',
      '.claude/agents/structure-analyst.md',
      '.claude/agents/edge-analyst.md'
    ])
    expect(result.unchanged).toEqual([])
    expect(await readFile(join(folder, '.claude/skills/landing-page/SKILL.md'), 'utf8')).toBe(out.skill!.skillMd)
    expect(await readFile(join(folder, '.claude/skills/landing-page/references/edge-cases.md'), 'utf8')).toBe(out.skill!.edgeCasesMd)
    expect((await readdir(join(folder, '.claude/agents'))).sort()).toEqual([
      'edge-analyst.md',
      'error-analyst.md',
      'structure-analyst.md',
      'success-analyst.md'
    ])
    // `skill` prints the SKILL.md itself (and the whole view as JSON), reading only
    const md = await cli(['skill', 'landing-page'])
    expect(md.code, md.stderr).toBe(0)
    expect(md.stdout).toBe(out.skill!.skillMd.endsWith('\n') ? out.skill!.skillMd : `${out.skill!.skillMd}\n`)
    expect(JSON.parse((await cli(['skill', out.skill!.skill.id, '--json'])).stdout)).toEqual(out.skill)

    // again by id, relative to the working directory, in words: nothing changed
    const again = await new Promise<Result>((ok) =>
      execFile(process.execPath, [BIN, 'export', out.skill!.skill.id, '.'], { cwd: folder, env: env() }, (err, stdout, stderr) =>
        ok({ code: err ? (err as { code: number }).code : 0, stdout, stderr })
      )
    )
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout.match(/^unchanged\t/gm)).toHaveLength(6)
    expect(again.stdout).not.toMatch(/^written\t/m)
    expect(again.stdout).toContain(`exported landing-page to ${folder}`)
  })

  it('with --dry-run prints the plan and writes nothing', async () => {
    const folder = await mkdtemp(join(tmpdir(), 't2s-cli-dry-'))
    const r = await cli(['export', 'landing-page', folder, '--dry-run', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const plan = JSON.parse(r.stdout) as { folder: string; files: { path: string; status: string }[] }
    expect(plan.files.map((f) => [f.path, f.status])).toEqual([
      ['.claude/skills/landing-page/SKILL.md', 'new'],
      ['.claude/skills/landing-page/references/edge-cases.md', 'new'],
      ['.claude/agents/error-analyst.md', 'new'],
      ['.claude/agents/success-analyst.md', 'new'],
      ['.claude/agents/structure-analyst.md', 'new'],
      ['.claude/agents/edge-analyst.md', 'new']
    ])
    expect(await readdir(folder)).toEqual([])
    const words = await cli(['export', 'landing-page', folder, '--dry-run'])
    expect(words.code).toBe(0)
    expect(words.stdout).toMatch(/^new\t\.claude\/skills\/landing-page\/SKILL\.md$/m)
    expect(words.stdout).toContain('dry run: nothing written')
    expect(await readdir(folder)).toEqual([])
  })

  it('refuses bad arguments with exit 2, and what does not exist with exit 1, in one line', async () => {
    const missing = join(tmpdir(), `t2s-no-such-${randomUUID()}`)
    const cases: [string[], number, RegExp][] = [
      [['analyze'], 2, /analyze needs a batch/],
      [['analyze', 'a', 'b'], 2, /unexpected argument b/],
      [['analyze', 'Landing pages', '--via', 'carrier-pigeon'], 2, /--via takes api or claude-cli/],
      [['analyze', 'twins'], 2, new RegExp(`several batches are named "twins".*${dupIds[0]}.*${dupIds[1]}|${dupIds[1]}.*${dupIds[0]}`)],
      [['analyze', 'no-such-batch'], 1, /no such batch: no-such-batch \(`trace2skill batches` lists them\)/],
      [
        ['analyze', dupIds[0]],
        1,
        new RegExp(
          `No graded runs in "twins": its 1 run is ungraded\\. Grade it with \`trace2skill grade ${dupIds[0]} --file feedback\\.txt\` .*review deck`
        )
      ],
      [['export'], 2, /export needs a skill .* and a folder/],
      [['export', 'x'], 2, /export needs a skill .* and a folder/],
      [
        ['export', 'no-such-skill', tmpdir()],
        1,
        new RegExp(`no such skill: no-such-skill \\(the skills here: landing-page \\(${out.skill!.skill.id}\\)\\)`)
      ],
      [['skill', 'no-such-skill'], 1, /no such skill: no-such-skill \(the skills here: landing-page/],
      [['export', 'landing-page', missing], 1, /export folder does not exist/],
      [['export', 'landing-page', missing, '--dry-run'], 1, /export folder does not exist/]
    ]
    for (const [args, code, message] of cases) {
      const r = await cli(args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code)
      expect(oneLine(r)).toMatch(message)
      expect(r.stdout).toBe('')
    }
  })

  it('cancels the analysis on Ctrl+C and exits 1', async () => {
    const child = spawn(process.execPath, [BIN, 'analyze', batchId, '--json', '--model', 'claude-sonnet-5-5'], { env: env(slow.url) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    const started = new Promise<void>((ok) =>
      child.stderr.on('data', (d) => {
        stderr += d
        if (/analyst: streaming/.test(stderr)) ok()
      })
    )
    const exited = new Promise<{ code: number | null; signal: string | null }>((ok) =>
      child.on('exit', (code, signal) => ok({ code, signal }))
    )
    await started
    const sentAt = Date.now()
    child.kill('SIGINT')
    const { code, signal } = await exited
    expect({ code, signal }, stderr).toEqual({ code: 1, signal: null })
    // cancelled at once, not after the held answers (60 s) nor the 15 s stop limit
    expect(Date.now() - sentAt).toBeLessThan(10_000)
    const got = JSON.parse(stdout) as { analysis: Analysis; skill: unknown }
    expect(got.analysis.state).toBe('cancelled')
    expect(got.skill).toBeNull()
    expect(got.analysis.analysts.every((a) => a.state === 'cancelled')).toBe(true)
    expect(stderr).toMatch(/analyst: cancelled/)
    expect(stderr.trim().split('\n').pop()).toBe('trace2skill: the analysis was cancelled')
  }, 60_000)

  it('prints a short summary without --json; a second skill of the same name makes the name ambiguous', async () => {
    const r = await cli(['analyze', batchId, '--model', 'claude-sonnet-5-5'])
    expect(r.code, r.stderr).toBe(0)
    const [first, read, second, next] = r.stdout.trim().split('\n')
    expect(first).toMatch(/^analysis \S+: done \(9 runs; error done, success done, structure failed, edge done\)$/)
    // what the analysts read: imported sessions have no files or screenshots, and nothing was cut
    expect(read).toMatch(
      /^the analysts read [\d,]+ tokens of text and 0 of images \(0 screenshots, 0 output files\) of a 1,000,000-token window: nothing cut$/
    )
    // at 9 graded runs (core 4+, patterns 3, edge cases 2): "Run the build" on runs 1-8 and "Always inline" on 4 runs
    // are core, the guard on 2 runs an edge case; the thresholds are said
    expect(second).toMatch(
      /^skill \S+ \(landing-page\): 2 core, 0 guidance, 1 edge-case rules \(1 discarded\); Tiers for 9 graded runs: core 4\+, patterns 3, edge cases 2$/
    )
    const skillId = /^skill (\S+)/.exec(second)![1]
    expect(next).toBe(`next: trace2skill export ${skillId} <project folder> (or edit it first in the app: Skills)`)
    expect(skillId).not.toBe(out.skill!.skill.id)

    const folder = await mkdtemp(join(tmpdir(), 't2s-cli-twins-'))
    const ambiguous = await cli(['export', 'landing-page', folder])
    expect(ambiguous.code).toBe(2)
    const line = oneLine(ambiguous)
    expect(line).toMatch(/several skills are named "landing-page"/)
    expect(line).toContain(skillId)
    expect(line).toContain(out.skill!.skill.id)
    expect(await readdir(folder)).toEqual([])
  })

  it('refuses to export a skill that is not valid, in one line, writing nothing', async () => {
    const service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: {} })
    try {
      const bad = await service.handlers.saveSkill({
        skillId: out.skill!.skill.id,
        patch: { frontMatter: { name: 'Landing Page', description: 'x' } }
      })
      expect(bad.problems.length).toBeGreaterThan(0)
    } finally {
      await service.dispose()
    }
    const folder = await mkdtemp(join(tmpdir(), 't2s-cli-invalid-'))
    for (const extra of [[], ['--dry-run']]) {
      const r = await cli(['export', out.skill!.skill.id, folder, ...extra])
      expect(r.code, r.stderr).toBe(1)
      expect(oneLine(r)).toMatch(/the skill is not valid yet: .*: fix its name and description in the app's composer \(Skills\)$/)
      expect(await readdir(folder)).toEqual([])
    }
  })
})
