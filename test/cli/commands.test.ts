/**
 * The command line's grading and listing commands over imported sessions (no claude needed): bad
 * arguments, every "nothing to do" naming the command or screen that fixes it, `grade` refused while
 * another writer holds the data folder (the reading commands work meanwhile), and the usage text
 * listing every command with its options.
 */
import { cp, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../src/main/app/service'
import { FIXTURE_SESSION, fixtureSessions } from '../support/fixture-sessions'
import { changed, snapshot } from '../support/store-files'
import { cliIn, oneLine, storedFeedback } from './support'

describe('grading and finding things from the command line', () => {
  let dir: string
  let configDir: string
  let dataDir: string
  let batchId: string
  const env = (data = dataDir) => ({
    CLAUDE_CONFIG_DIR: configDir,
    TRACE2SKILL_DATA_DIR: data,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:9'
  })
  const cli = (args: string[], input?: string, data?: string) => cliIn(args, env(data), input)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 't2s-cli-grade-'))
    configDir = join(dir, 'claude')
    dataDir = join(dir, 'data')
    const ids = await fixtureSessions(configDir, 3)
    const service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: {} })
    try {
      batchId = (await service.handlers.importSessions({ name: 'Imported', sessions: ids.map((sessionId) => ({ sessionId })) })).id
    } finally {
      await service.dispose()
    }
  })

  it('lists every command with its options in the usage text', async () => {
    const r = await cli(['--help'])
    expect(r.code).toBe(0)
    const commands = {
      projects: ['--json'],
      sessions: ['<project>', '--json'],
      trace: ['<session-id>', '--project', '--json'],
      index: ['--json'],
      web: ['--port'],
      variations: ['--task', '--mix', '--model', '--out', '--json'],
      run: [
        '--task',
        '--variations',
        '--mix',
        '--concurrency',
        '--max-turns',
        '--model',
        '--claude',
        '--preset',
        '--allow-domain',
        '--json'
      ],
      batches: ['--json'],
      batch: ['<batch>', '--json'],
      grade: ['<batch>', '--file', '--json'],
      feedback: ['<batch>', '--json'],
      rubric: ['<batch>', '--via', '--model', '--claude', '--json'],
      grader: ['<batch>', '--via', '--model', '--claude', '--folds', '--estimate', '--json'],
      pregrade: ['<batch>', '--via', '--model', '--claude', '--json'],
      analyze: ['<batch>', '--via', '--model', '--merge-model', '--claude', '--json'],
      skills: ['--json'],
      skill: ['<skill>', '--json'],
      export: ['<skill>', '<folder>', '--dry-run', '--json'],
      verify: [
        '<skill>',
        '--version',
        '--against',
        '--variations',
        '--repeats',
        '--concurrency',
        '--max-turns',
        '--model',
        '--claude',
        '--preset',
        '--allow-domain',
        '--budget',
        '--json'
      ],
      resume: ['<verification>', '--json'],
      report: ['<verification>', '--json'],
      verifications: ['<skill>', '--json'],
      explain: ['<verification>', '--via', '--model', '--claude', '--json'],
      deepen: ['<verification>', '--via', '--model', '--merge-model', '--claude', '--json'],
      promote: ['<skill>', '--version', '--json']
    }
    const lines = r.stdout.split('\n')
    for (const [command, options] of Object.entries(commands)) {
      // the command's entry: its first line and the indented lines under it
      const at = lines.findIndex((l) => l.startsWith(`  ${command} `) || l === `  ${command}`)
      expect(at, command).toBeGreaterThan(0)
      const entry = [lines[at], ...lines.slice(at + 1).filter((_, i, all) => all.slice(0, i + 1).every((l) => /^ {4,}/.test(l)))].join(' ')
      for (const o of options) expect(entry, `${command} ${o}`).toContain(o)
    }
  })

  it('refuses bad grade arguments in one line', async () => {
    const cases: [string[], number, RegExp][] = [
      [['grade'], 2, /grade needs a batch/],
      [['grade', batchId], 2, /grade needs --file <file> .*Run 2: bad - too many cards.*`-` reads standard input/],
      [['grade', batchId, '--file', join(dir, 'nope.txt')], 2, /cannot read --file .*nope\.txt: ENOENT/],
      [['grade', 'no-such-batch', '--file', '-'], 1, /no such batch: no-such-batch \(`trace2skill batches` lists them\)/],
      [['feedback'], 2, /feedback needs a batch/],
      [['feedback', batchId, 'x'], 2, /unexpected argument x/],
      [['batches', 'x'], 2, /unexpected argument x/],
      // each command takes only the options it declares
      [['batches', '--task', 'x'], 2, /^trace2skill: unknown option '--task'$/],
      [['feedback', batchId, '--file', 'x'], 2, /^trace2skill: unknown option '--file'$/]
    ]
    for (const [args, code, message] of cases) {
      const r = await cli(args, 'Run 1: good\n')
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code)
      expect(oneLine(r)).toMatch(message)
      expect(r.stdout).toBe('')
    }
    // an empty file is not feedback either
    const empty = await cli(['grade', batchId, '--file', '-'], '\n\n')
    expect(empty.code).toBe(1)
    expect(oneLine(empty)).toBe('trace2skill: no feedback lines in stdin: write one line per run, e.g. Run 2: bad - too many cards')
    // a sentence needs its separator: "Run 2 bad cluttered" is named by its line, and nothing is applied
    const glued = await cli(
      ['grade', batchId, '--file', '-'],
      'Run 1: good - fine\nRun 2 bad cluttered\nRun 3 bad - ok without the colon\n'
    )
    expect(glued.code).toBe(1)
    expect(glued.stderr.trim().split('\n')).toEqual([
      'stdin: line 2: expected "Run N: good - sentence" or "Run N: bad - sentence" (a " - " between the grade and the sentence), got "Run 2 bad cluttered"',
      'trace2skill: nothing applied: 1 bad line (of 3); fix them and run grade again'
    ])
    expect(await storedFeedback(dataDir, batchId)).toEqual({ 1: null, 2: null, 3: null })
  })

  it('run without claude says how to point at it on the command line (--claude PATH), having written nothing', async () => {
    await writeFile(join(dir, 'task.txt'), 'Build a page.')
    await writeFile(join(dir, 'one.txt'), '1. Build it\n')
    const store = await snapshot(dataDir)
    const r = await cli([
      'run',
      '--task',
      join(dir, 'task.txt'),
      '--variations',
      join(dir, 'one.txt'),
      '--claude',
      join(dir, 'no-claude'),
      '--preset',
      'accept-edits'
    ])
    expect(r.code).toBe(1)
    const line = oneLine(r)
    expect(line).toMatch(/was not found\. Install Claude Code .*; or pass its path with --claude PATH\.$/)
    expect(line).not.toMatch(/batch settings/)
    expect(changed(store, await snapshot(dataDir))).toEqual([])
  })

  it('trace prints the conversation: the prompt, the text, each tool call and its result, a sub-agent indented under its call', async () => {
    const project = join(configDir, 'projects', '-tmp-with-subagent')
    await cp(dirname(FIXTURE_SESSION), project, { recursive: true })
    const id = basename(FIXTURE_SESSION, '.jsonl')
    const r = await cli(['trace', id, '--project', '-tmp-with-subagent'])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines.slice(0, 8)).toEqual([
      `session ${id} in /tmp/t2s-ws-wO142G/build-tool`,
      '3 turns, 2 tool calls (0 errors), 57,815 tokens, $0.2339, claude-opus-5-5, 1 sub-agent',
      '',
      '--- prompt 1 ---',
      'user: SCENARIO:subagent Task 4.',
      'assistant: I will ask a helper to look around.',
      'tool Agent: Survey the workspace',
      '  sub-agent a8c94204ceff97979 (general-purpose: Survey the workspace):'
    ])
    expect(lines.slice(8, 12)).toEqual([
      '    user: SCENARIO:sub-helper List what is in the workspace and report back.',
      '    tool Bash: echo helper was here',
      '      ok: helper was here',
      '    assistant: Workspace surveyed: nothing unusual.'
    ])
    // the call's own result under it, its first lines only
    expect(lines[12]).toMatch(/^ {2}ok: Async agent launched successfully\./)
    expect(lines).toContain('  | … 3 more lines (--json has them all)')
    expect(lines[lines.length - 2]).toBe('assistant: The helper surveyed the workspace; all good.')
    // --json: every event, whole
    const json = JSON.parse((await cli(['trace', id, '--project', '-tmp-with-subagent', '--json'])).stdout)
    expect(json.subagents[0].agentId).toBe('a8c94204ceff97979')
  })

  it('says what fixes each "nothing to do"', async () => {
    const empty = join(dir, 'empty-data')
    const b = await cli(['batches'], undefined, empty)
    expect(b.code).toBe(0)
    expect(b.stdout).toBe('')
    expect(b.stderr.trim()).toMatch(
      /^no batches yet: run some with `trace2skill run --task <file> --variations <file>`, or in the app \(Tasks & runs\)$/
    )
    expect(JSON.parse((await cli(['batches', '--json'], undefined, empty)).stdout)).toEqual([])
    const s = await cli(['skills'], undefined, empty)
    expect(s.code).toBe(0)
    expect(s.stderr.trim()).toMatch(/^no skills yet: make one from a graded batch with `trace2skill analyze <batch>`/)
    const noBatch = await cli(['analyze', 'x'], undefined, empty)
    expect(oneLine(noBatch)).toBe(
      'trace2skill: no such batch: x (there are no batches yet: run some with `trace2skill run --task <file> --variations <file>`)'
    )
    const noSkill = await cli(['export', 'x', dir], undefined, empty)
    expect(noSkill.code).toBe(1)
    expect(oneLine(noSkill)).toBe(
      'trace2skill: no such skill: x (there are no skills yet: make one from a graded batch with `trace2skill analyze <batch>`)'
    )
    const noSkill2 = await cli(['skill', 'x'], undefined, empty)
    expect(oneLine(noSkill2)).toMatch(/^trace2skill: no such skill: x \(there are no skills yet/)

    // a batch with nothing graded
    const a = await cli(['analyze', 'Imported'])
    expect(a.code).toBe(1)
    expect(oneLine(a)).toBe(
      `trace2skill: No graded runs in "Imported": its 3 runs are all ungraded. Grade them with \`trace2skill grade ${batchId} --file feedback.txt\` (one line per run: Run 2: bad - too many cards), or in the app's review deck (Grade the runs on the batch page)`
    )
    const f = await cli(['feedback', 'Imported', '--json'])
    expect(f.code).toBe(0)
    expect(JSON.parse(f.stdout)).toEqual({ batchId, batchName: 'Imported', text: '', graded: 0, total: 3, runs: [] })
    expect(f.stderr.trim()).toBe(
      `no graded runs in "Imported" (3 runs): grade them with \`trace2skill grade ${batchId} --file feedback.txt\`, or in the app's review deck`
    )
  })

  it('refuses grade while another writer holds the data folder, naming it; the reading commands work meanwhile', async () => {
    await writeFile(join(dir, 'fb.txt'), 'Run 1: good - fine\n')
    const holder = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: {}, owner: 'the desktop app' })
    try {
      const r = await cli(['grade', batchId, '--file', join(dir, 'fb.txt')])
      expect(r.code).toBe(1)
      const line = oneLine(r)
      expect(line).toContain(`is in use by the desktop app (pid ${process.pid}`)
      // graded there instead
      expect(line).toMatch(/grade in it: Grade the runs on the batch page, or Paste feedback in the gallery/)
      expect(r.stdout).toBe('')
      for (const args of [['feedback', batchId], ['batches'], ['batch', batchId], ['skills']]) {
        const ok = await cli(args)
        expect(ok.code, `${args.join(' ')}: ${ok.stderr}`).toBe(0)
      }
    } finally {
      await holder.dispose()
    }
    expect(await storedFeedback(dataDir, batchId)).toEqual({ 1: null, 2: null, 3: null })
    const r = await cli(['grade', batchId, '--file', join(dir, 'fb.txt')])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.trim().split('\n')).toEqual([
      'Run 1: good - fine',
      '1 of 3 runs graded in "Imported" (1 changed; ungraded: 2, 3)',
      `next: trace2skill analyze ${batchId} (the 2 ungraded runs are left out)`
    ])
  })
})
