/**
 * The whole loop from the command line, headless: `run` (the real claude against the scripted model
 * server, sandboxed), `grade` from a feedback file (bad files refused line by line, nothing applied),
 * `feedback` round-tripping through `grade --file -`, `analyze` (scripted analysts), `export`, ending
 * with the SKILL.md on disk. And `grade` refused while `run` still holds the data folder.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Analysis } from '../../src/shared/analysis'
import type { SkillView } from '../../src/shared/contract'
import { analystScript, isAnalystRequest } from '../support/analyst-script'
import { BIN } from '../support/cli'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { prompt, scenarioScript } from '../support/scenarios'
import { cliIn, oneLine, storedFeedback, type Result } from './support'
import { changed, readIndex, snapshot } from '../support/store-files'

const rule = (text: string, evidence: number[]) => ({
  rule: text,
  evidence,
  priority: 'high' as const,
  reason: `runs ${evidence.join(', ')}`
})

describe('the whole loop from the command line', () => {
  let claudeServer: ModelServer
  let analysts: ModelServer
  let dir: string
  let configDir: string
  let dataDir: string
  let ran: Result
  let batchId = ''

  /** claude's runs talk to the scenario server; the analysts (analyze) to the scripted analysts */
  const env = (url = claudeServer.url) => ({ ...claudeEnv(configDir, url), TRACE2SKILL_DATA_DIR: dataDir })
  const cli = (args: string[], input?: string, url?: string) => cliIn(args, env(url), input)

  beforeAll(async () => {
    claudeServer = await startModelServer(scenarioScript())
    analysts = await startModelServer(
      analystScript({
        error: { rules: [rule('Keep the page to three cards', [2, 3]), rule('Check the config file exists before building', [2, 3])] },
        success: {
          rules: [rule('Read the page back after writing it', [1, 4]), rule('Write the whole page in one Write call', [1, 2, 4])]
        },
        // the same rule as success's, on other runs: merged, on runs 1-4 (guidance, in SKILL.md)
        structure: { rules: [rule('Write the whole page in one Write call.', [1, 3, 4])] },
        edge: { rules: [rule('Before running the build, verify the config file exists', [3, 2])] }
      })
    )
    dir = await mkdtemp(join(tmpdir(), 't2s-loop-'))
    configDir = join(dir, 'claude')
    dataDir = join(dir, 'data')
    await writeFile(join(dir, 'Landing page.txt'), 'Build a landing page for a rocket company.')
    await writeFile(
      join(dir, 'variations.txt'),
      [
        `1. [easy] ${prompt('write-file', 'one')}`,
        `2. [normal] ${prompt('write-cluttered', 'two')}`,
        `3. [hard] ${prompt('tool-errors', 'three')}`,
        `4. [normal] ${prompt('write-file', 'four')}`
      ].join('\n') + '\n'
    )
    ran = await cli([
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
      CLAUDE_BIN
    ])
  }, 300_000)
  afterAll(async () => {
    await claudeServer?.close()
    await analysts?.close()
  })

  it('run prints the batch id and name and the next command (grade)', () => {
    expect(ran.code, ran.stderr).toBe(0)
    const lines = ran.stdout.trim().split('\n')
    expect(lines.slice(0, 4)).toEqual([1, 2, 3, 4].map((n) => expect.stringMatching(new RegExp(`^Run ${n}: done `))))
    const head = lines.find((l) => l.startsWith('batch '))!
    expect(head).toMatch(/^batch \S+ "Landing page #1": 4 of 4 runs done$/)
    batchId = /^batch (\S+)/.exec(head)![1]
    const next = lines.find((l) => l.startsWith('next: '))!
    expect(next).toContain('Grade the runs')
    expect(next).toContain(`trace2skill grade ${batchId} --file feedback.txt`)
    // the id is said on stderr as soon as the batch starts, for whoever wants to watch it
    expect(ran.stderr).toContain(`batch ${batchId} "Landing page #1": 4 runs`)
    // not a terminal: a plain line per run that finishes, with the counts and the cost so far; no live line
    const progress = ran.stderr.split('\n').filter((l) => /^Run \d: /.test(l))
    expect(progress).toHaveLength(4)
    for (const l of progress) expect(l).toMatch(/^Run \d: done \[[1-4] of 4 finished(, \d running)?(, \d queued)?; \$\d+\.\d{4}\]$/)
    expect(progress.filter((l) => /\[4 of 4 finished; \$/.test(l))).toHaveLength(1)
    expect(ran.stderr).not.toMatch(/\x1b|^runs: /m)
  })

  it('batches lists it (read-only) with its grading progress', async () => {
    const r = await cli(['batches', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const list = JSON.parse(r.stdout)
    expect(list).toEqual([
      expect.objectContaining({ id: batchId, name: 'Landing page #1', task: 'Landing page', runs: 4, done: 4, graded: 0, good: 0, bad: 0 })
    ])
    const words = await cli(['batches'])
    expect(words.stdout).toMatch(new RegExp(`^${batchId}\\tLanding page #1\\t4 runs \\(4 done\\)\\t0 of 4 graded`, 'm'))
  })

  it('batch shows what each run made, to grade it by', async () => {
    const r = await cli(['batch', 'Landing page #1', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const got = JSON.parse(r.stdout) as {
      id: string
      runs: {
        number: number
        state: string
        difficulty: string
        workspace: string
        files: string[]
        screenshots: string[]
        result: string
        sessionId: string
        label: string | null
      }[]
    }
    expect(got.id).toBe(batchId)
    expect(got.runs.map((x) => [x.number, x.state, x.difficulty, x.label])).toEqual([
      [1, 'done', 'easy', null],
      [2, 'done', 'normal', null],
      [3, 'done', 'hard', null],
      [4, 'done', 'normal', null]
    ])
    expect(got.runs[0].files).toEqual(['index.html'])
    expect(got.runs[0].result).toContain('Wrote index.html')
    expect(got.runs[0].workspace).toBeTruthy()
    const words = await cli(['batch', batchId])
    expect(words.stdout).toMatch(/^Run 1: done, ungraded \(easy\)/m)
    expect(words.stdout).toContain(got.runs[0].workspace)
  })

  it('trace prints the conversation of a run, each tool call with its result, errors marked', async () => {
    const got = JSON.parse((await cli(['batch', batchId, '--json'])).stdout) as { runs: { number: number; sessionId: string }[] }
    const r = await cli(['trace', got.runs.find((x) => x.number === 3)!.sessionId])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[1]).toMatch(/^4 turns, 3 tool calls \(3 errors\), [\d,]+ tokens, \$\d+\.\d{4}/)
    expect(lines).toContain(`user: ${prompt('tool-errors', 'three')}`)
    const at = (text: string) => lines.indexOf(text)
    expect(at('tool Read: /definitely/not/here/config.json')).toBeGreaterThan(0)
    expect(lines[at('tool Read: /definitely/not/here/config.json') + 1]).toMatch(/^ {2}ERROR: /)
    expect(lines[at('tool Bash: echo building && exit 3') + 1]).toMatch(/^ {2}ERROR: .*3/)
    expect(lines).toContain('assistant: That file does not exist; trying the build.')
    expect(lines).toContain('assistant: The build failed: the config file is missing and the command exited with 3.')
  })

  it('analyze before any grading says how many runs are ungraded and how to grade them', async () => {
    const r = await cli(['analyze', batchId], undefined, analysts.url)
    expect(r.code).toBe(1)
    const line = oneLine(r)
    expect(line).toMatch(/No graded runs/)
    expect(line).toContain('its 4 runs are all ungraded')
    expect(line).toContain(`trace2skill grade ${batchId} --file`)
    expect(line).toContain('review deck')
    expect(analysts.requests).toHaveLength(0)
    const fb = await cli(['feedback', batchId])
    expect(fb.code).toBe(0)
    expect(fb.stdout).toBe('')
    expect(fb.stderr).toContain(`trace2skill grade ${batchId} --file`)
  })

  it('grade refuses a bad file line by line and applies nothing', async () => {
    const before = await storedFeedback(dataDir, batchId)
    const bad = [
      'Run 1: good - clean hero',
      'Run 9: bad - no such run',
      'Run 2: meh - not a grade',
      'this is not feedback',
      'Run 3: bad - build failed',
      'Run 1: bad - graded twice',
      ''
    ].join('\n')
    await writeFile(join(dir, 'bad.txt'), bad)
    for (const args of [
      ['--file', join(dir, 'bad.txt')],
      ['--file', join(dir, 'bad.txt'), '--json'],
      ['--file', '-']
    ]) {
      const r = await cli(['grade', batchId, ...args], args[1] === '-' ? bad : undefined)
      expect(r.code, r.stderr).toBe(1)
      expect(r.stdout).toBe('')
      const lines = r.stderr.trim().split('\n')
      const where = args[1] === '-' ? 'stdin' : join(dir, 'bad.txt')
      expect(lines).toEqual([
        `${where}: line 2: there is no Run 9 in this batch`,
        expect.stringMatching(
          new RegExp(`^${where.replace(/[/.]/g, '\\$&')}: line 3: expected "Run N: good - sentence".*got "Run 2: meh - not a grade"$`)
        ),
        expect.stringMatching(/: line 4: expected .*got "this is not feedback"$/),
        `${where}: line 6: Run 1 was already graded on line 1`,
        'trace2skill: nothing applied: 4 bad lines (of 6); fix them and run grade again'
      ])
    }
    expect(await storedFeedback(dataDir, batchId)).toEqual(before)
    expect(Object.values(before)).toEqual([null, null, null, null])
  })

  it('grade applies a good file and prints what it applied', async () => {
    await writeFile(
      join(dir, 'feedback.txt'),
      'Run 1: good - clean hero, three cards\nRun 2: bad - too many cards, looks cluttered\nRun 3: bad - the build failed\n'
    )
    const r = await cli(['grade', 'Landing page #1', '--file', join(dir, 'feedback.txt'), '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({
      batchId,
      batchName: 'Landing page #1',
      applied: [
        { number: 1, label: 'good', text: 'clean hero, three cards' },
        { number: 2, label: 'bad', text: 'too many cards, looks cluttered' },
        { number: 3, label: 'bad', text: 'the build failed' }
      ],
      changed: 3,
      graded: 3,
      total: 4,
      ungraded: [4]
    })
    const stored = await storedFeedback(dataDir, batchId)
    expect(stored[2]).toMatchObject({ label: 'bad', text: 'too many cards, looks cluttered' })
    expect(stored[4]).toBeNull()
    // the fourth from standard input, in words
    const more = await cli(['grade', batchId, '--file', '-'], 'Run 4: good - clean, like run 1\n')
    expect(more.code, more.stderr).toBe(0)
    expect(more.stdout.trim().split('\n')).toEqual([
      'Run 4: good - clean, like run 1',
      `4 of 4 runs graded in "Landing page #1" (1 changed)`,
      `next: trace2skill analyze ${batchId}`
    ])
  })

  it('feedback prints the same format, and feeding it back to grade changes nothing', async () => {
    const before = await storedFeedback(dataDir, batchId)
    const fb = await cli(['feedback', batchId])
    expect(fb.code, fb.stderr).toBe(0)
    expect(fb.stdout).toBe(
      'Run 1: good - clean hero, three cards\nRun 2: bad - too many cards, looks cluttered\nRun 3: bad - the build failed\nRun 4: good - clean, like run 1\n'
    )
    const back = await cli(['grade', batchId, '--file', '-'], fb.stdout)
    expect(back.code, back.stderr).toBe(0)
    const lines = back.stdout.trim().split('\n')
    expect(lines.slice(0, 4).join('\n') + '\n').toBe(fb.stdout)
    expect(lines.slice(4)).toEqual([`4 of 4 runs graded in "Landing page #1" (0 changed)`, `next: trace2skill analyze ${batchId}`])
    // not even the time of the grades changed
    expect(await storedFeedback(dataDir, batchId)).toEqual(before)
    const json = JSON.parse((await cli(['feedback', batchId, '--json'])).stdout)
    expect(json).toMatchObject({ batchId, graded: 4, total: 4, text: fb.stdout })
    expect(json.runs[1]).toEqual({ number: 2, label: 'bad', text: 'too many cards, looks cluttered' })
  })

  it('analyze --estimate says what the analysis would cost, asking no model and writing nothing', async () => {
    const store = await snapshot(dataDir)
    const asked = analysts.requests.length
    const r = await cli(['analyze', batchId, '--estimate', '--json'], undefined, analysts.url)
    expect(r.code, r.stderr).toBe(0)
    const est = JSON.parse(r.stdout)
    expect(est).toMatchObject({ runs: 4, groups: 1, via: 'api' })
    expect(est.usd).toBeGreaterThan(0)
    expect(est.contextTokens).toBeGreaterThan(1000)
    expect(analysts.requests.length).toBe(asked)
    expect(changed(store, await snapshot(dataDir))).toEqual([])
    const words = await cli(['analyze', batchId, '--estimate'], undefined, analysts.url)
    expect(words.stdout).toMatch(/^about \$\d+\.\d\d \([\d,]+ tokens of context over 4 graded runs, model claude-/)
    expect(words.stdout).toContain(`next: trace2skill analyze ${batchId}`)
    // what the analysts would read: text, the screenshots as images, the runs' files, and what is cut
    expect(words.stdout).toMatch(
      /the analysts read [\d,]+ tokens of text and [\d,]+ of images \(\d+ screenshots, [1-9]\d* output files\) of a 1,000,000-token window: nothing cut/
    )
    expect(est.report).toMatchObject({ window: 1_000_000, cuts: [] })
    // --mobile: the mobile screenshots too, one more image per page
    const withMobile = JSON.parse((await cli(['analyze', batchId, '--estimate', '--mobile', '--json'], undefined, analysts.url)).stdout)
    expect(withMobile.report.images).toBe(est.report.images * 2)
  })

  it('analyze, then export, writes the SKILL.md into the project', async () => {
    const a = await cli(['analyze', batchId, '--json'], undefined, analysts.url)
    expect(a.code, a.stderr).toBe(0)
    const got = JSON.parse(a.stdout) as { analysis: Analysis; skill: SkillView }
    expect(got.analysis).toMatchObject({ batchId, state: 'done', context: { runs: 4 } })
    expect(got.analysis.context.report!.outputFiles).toBeGreaterThan(0)
    expect(got.skill.problems).toEqual([])
    // the analysts read the feedback given on the command line
    const seen = JSON.stringify(analysts.requests.find((q) => isAnalystRequest(q.body))?.body)
    expect(seen).toContain('Run 2: bad - too many cards, looks cluttered')

    const skills = JSON.parse((await cli(['skills', '--json'])).stdout)
    expect(skills).toEqual([
      expect.objectContaining({ id: got.skill.skill.id, name: got.skill.skill.frontMatter.name, batches: [batchId], valid: true })
    ])

    const project = await mkdtemp(join(tmpdir(), 't2s-loop-project-'))
    const name = got.skill.skill.frontMatter.name
    const e = await cli(['export', name, project])
    expect(e.code, e.stderr).toBe(0)
    expect(e.stdout).toContain(`exported ${name} to ${project}`)
    const md = await readFile(join(project, '.claude', 'skills', name, 'SKILL.md'), 'utf8')
    expect(md).toBe(got.skill.skillMd)
    expect(md).toMatch(/Write the whole page in one Write call.*\(runs 1, 2, 3, 4\)/)
    // the rules on two runs are edge cases, beside it
    const edge = await readFile(join(project, '.claude', 'skills', name, 'references', 'edge-cases.md'), 'utf8')
    expect(edge).toBe(got.skill.edgeCasesMd)
    expect(edge).toMatch(/Read the page back after writing it/)
  }, 120_000)

  it('grade is refused while run still holds the data folder, and says its runs are still running', async () => {
    const busy = join(dir, 'busy')
    await writeFile(join(dir, 'slow.txt'), `1. ${prompt('slow', 'busy')}\n`)
    const e = { ...env(), TRACE2SKILL_DATA_DIR: busy }
    const child = spawn(
      process.execPath,
      [BIN, 'run', '--task', join(dir, 'Landing page.txt'), '--variations', join(dir, 'slow.txt'), '--claude', CLAUDE_BIN],
      { env: { ...process.env, ...e } }
    )
    let err = ''
    const started = new Promise<string>((ok) =>
      child.stderr.on('data', (d) => {
        err += d
        const m = /^batch (\S+) /m.exec(err)
        if (m) ok(m[1])
      })
    )
    // the code, or the signal that ended it (it must handle Ctrl+C itself, not die of it)
    const exited = new Promise<number | string | null>((ok) => child.on('close', (code, sig) => ok(code ?? sig)))
    try {
      const id = await Promise.race([
        started,
        new Promise<string>((_, no) => setTimeout(() => no(new Error(`run did not start: ${err}`)), 60_000))
      ])
      await writeFile(join(dir, 'one.txt'), 'Run 1: bad - too slow\n')
      const r = await cliIn(['grade', id, '--file', join(dir, 'one.txt')], e)
      expect(r.code).toBe(1)
      const line = oneLine(r)
      expect(line).toMatch(new RegExp(`in use by \`trace2skill run\` \\(pid ${child.pid}`))
      expect(line).toMatch(/still running/)
    } finally {
      child.kill('SIGINT')
    }
    expect(await exited).toBe(1)
    // once it has stopped, the (cancelled) run can be graded
    const id = Object.keys((await readIndex(busy)).batches)[0]
    const r = await cliIn(['grade', id, '--file', join(dir, 'one.txt')], e)
    expect(r.code, r.stderr).toBe(0)
    expect(await storedFeedback(busy, id)).toEqual({ 1: expect.objectContaining({ label: 'bad', text: 'too slow' }) })
  }, 120_000)
})
