/**
 * `trace2skill triggers <skill>` from the built bin: bad arguments are one line and exit 2 before the
 * data folder is opened; an unknown skill is named. With the real `claude` and the scripted trigger
 * model (a skill loads when its description shares enough of the prompt's words): the rivals are named
 * first, then the estimate, and the per-query rates, recall and false triggers equal hand counts; the
 * competing skill in the user's skills folder (which the scripted model would pick, were it listed) is
 * not in the runs.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../src/main/app/service'
import { measureText, rivalLine } from '../../src/main/cli/commands/triggers'
import type { Decision, Scores, TriggerMeasure, TriggerQuery } from '../../src/shared/triggers'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { triggerScript } from '../support/trigger-script'
import { plantTriggerSkill } from '../support/trigger-skill'
import { loads } from '../support/trigger-words'
import { BIN } from '../support/cli'
import { cliIn, oneLine } from './support'

const d = (kind: Decision['kind']): Decision => ({ kind, turns: 1, tokens: 100, usd: 0.001, ms: 10 })

describe('triggers from the command line', () => {
  let dir = ''
  const cli = (args: string[]) =>
    cliIn(args, { TRACE2SKILL_DATA_DIR: join(dir, 'data'), CLAUDE_CONFIG_DIR: join(dir, 'claude'), HOME: dir, ANTHROPIC_API_KEY: '' })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 't2s-cli-triggers-'))
  })
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('refuses bad arguments in one line, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['triggers'], /^trace2skill: triggers needs a skill \(its id or name\)$/],
      [['triggers', 'a', 'b'], /unexpected argument b/],
      [['triggers', 'landing-page', '--repeats', '0'], /--repeats takes a whole number from 1 to 10, not 0/],
      [['triggers', 'landing-page', '--repeats', 'three'], /--repeats takes a whole number from 1 to 10, not three/],
      [['triggers', 'landing-page', '--version', 'two'], /--version takes a version number of the skill \(1, 2, \.\.\.\), not two/],
      [['triggers', 'landing-page', '--version'], /triggers --version takes a version number of the skill \(--version N\)/],
      [['triggers', 'landing-page', '--cap', '0'], /--cap takes US dollars, more than 0/],
      [['triggers', 'landing-page', '--concurrency', '99'], /--concurrency takes a whole number from 1 to 16, not 99/],
      [['triggers', 'landing-page', '--preset', 'open'], /--preset takes sandboxed, accept-edits, full-access, not open/],
      [['triggers', 'landing-page', '--rounds', '3'], /unknown option '--rounds'/]
    ]
    for (const [args, message] of cases) {
      const r = await cli(args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2)
      expect(oneLine(r)).toMatch(message)
    }
  })

  it('names an unknown skill, exit 1', async () => {
    const r = await cli(['triggers', 'nope'])
    expect(r.code, r.stderr).toBe(1)
    expect(oneLine(r)).toMatch(/^trace2skill: no such skill: nope \(there are no skills yet/)
  })

  it('is in the usage text', async () => {
    const r = await cli(['--help'])
    expect(r.stdout).toMatch(/^ {2}triggers <skill> \[--version N\] \[--repeats N\]/m)
  })
})

describe('a measurement in words', () => {
  it('per query its rate and its prompt, then recall and false triggers counted by hand', () => {
    const m: TriggerMeasure = {
      id: 'm1',
      skillId: 's1',
      name: 'landing-page',
      version: 2,
      description: 'Build landing pages.',
      repeats: 3,
      state: 'done',
      startedAt: '2026-01-01T00:00:00Z',
      results: [
        { queryId: 'a', should: true, decisions: [d('loaded'), d('loaded'), d('answer')] }, // 2/3: loads
        { queryId: 'b', should: true, decisions: [d('answer'), d('other-tool'), d('loaded')] }, // 1/3: does not
        { queryId: 'c', should: true, decisions: [d('loaded'), d('error'), d('error')] }, // 1/1: loads
        { queryId: 'n', should: false, decisions: [d('loaded'), d('loaded'), d('loaded')] }, // a false trigger
        { queryId: 'o', should: false, decisions: [d('answer'), d('answer'), d('other-skill')] }
      ],
      done: 15,
      total: 15,
      usd: 0.015,
      rivals: []
    }
    const prompts = new Map([
      ['a', 'Make a landing page for our bakery'],
      ['b', 'x'.repeat(300)],
      ['n', 'Fix the README typo']
    ])
    const lines = measureText(m, prompts).split('\n')
    expect(lines[0]).toBe('measured landing-page version 2: 5 queries x 3 repeats (done), $0.0150')
    expect(lines[1]).toBe('  should       2/3  67%  Make a landing page for our bakery')
    expect(lines[2]).toMatch(/^ {2}should {7}1\/3 {2}33% {2}x+…?$/)
    expect(lines[2].length).toBeLessThan(130)
    expect(lines[3]).toBe('  should       1/1 100% (2 errors)  c')
    expect(lines[4]).toBe('  should-not   3/3 100%  Fix the README typo')
    expect(lines[6]).toBe('recall: 2 of 3 should-trigger queries load it (67%)')
    expect(lines[7]).toBe('false triggers: 1 of 2 near misses load it (50%)')
  })

  it('a rival in a line', () => {
    expect(
      rivalLine({ kind: 'competes', name: 'x', where: 'project', path: '/p', description: '', queries: 4, message: 'x matches 4 of 5.' })
    ).toBe('  competes (4 queries): x matches 4 of 5.')
    expect(rivalLine({ kind: 'same-name', name: 'x', where: 'user', path: '/p', description: '', message: 'A skill named x.' })).toBe(
      '  same name: A skill named x.'
    )
  })
})

describe('triggers measures with the real claude', () => {
  const NAME = 'landing-page'
  const DESCRIPTION = 'Build a landing page for a small business: hero section, three cards, a call to action.'
  const q = (id: string, prompt: string, should: boolean): TriggerQuery => ({ id, prompt, should, source: 'person' })
  const QUERIES = [
    q('s1', 'Build a landing page for a bakery', true),
    q('s2', 'Make a hero section for a florist', true),
    q('s3', 'Design a homepage for a yoga studio', true),
    q('n1', 'Fix the typo in the landing page README', false),
    q('n2', 'Translate the business plan into French', false)
  ]
  const RUN = ['--preset', 'accept-edits', '--claude', CLAUDE_BIN, '--concurrency', '2']
  let server: ModelServer
  let dir = ''
  let configDir = ''
  let dataDir = ''
  // the model's latency before each answer (the cancel test holds the runs on it)
  let delay = 0
  const script = triggerScript({ delayMs: () => delay })
  const cli = (args: string[]) => cliIn(args, { ...claudeEnv(configDir, server.url), TRACE2SKILL_DATA_DIR: dataDir })

  beforeAll(async () => {
    server = await startModelServer(script)
    dir = await mkdtemp(join(tmpdir(), 't2s-cli-triggers-run-'))
    configDir = join(dir, 'claude')
    dataDir = join(dir, 'data')
    // the user's skills: one of the same name, and one the scripted model would load instead of ours (more words in common)
    const skill = async (name: string, description: string) => {
      await mkdir(join(configDir, 'skills', name), { recursive: true })
      await writeFile(join(configDir, 'skills', name, 'SKILL.md'), `---\nname: ${name}\ndescription: ${description}\n---\n# ${name}\n`)
    }
    await skill(NAME, 'An older landing page skill of mine.')
    await skill(
      'page-maker',
      'Build a landing page for a small business bakery or florist shop: hero section, three cards, a call to action.'
    )
    const service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: claudeEnv(configDir, server.url) })
    try {
      const { skillId } = await plantTriggerSkill(service, { name: NAME, description: DESCRIPTION })
      await service.handlers.saveTriggerQueries({ skillId, queries: QUERIES })
    } finally {
      await service.dispose()
    }
  }, 60_000)
  afterAll(async () => {
    await server?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('names the rivals, prints the estimate, then per query its rate and recall and false triggers as counted by hand', async () => {
    const r = await cli(['triggers', NAME, '--repeats', '1', ...RUN])
    expect(r.code, r.stderr).toBe(0)
    const err = r.stderr.split('\n')
    // the rivals before the estimate, the estimate before the measuring
    const at = (re: RegExp) => err.findIndex((l) => re.test(l))
    expect(at(/^ {2}same name: A skill named landing-page in your skills folder .* shadows this one/)).toBeGreaterThan(0)
    expect(at(/^ {2}competes \(2 queries\): page-maker matches 2 of the 3 should-trigger queries/)).toBeGreaterThan(0)
    expect(at(/^measure when Claude Code loads landing-page version 1: 5 queries x 1 repeat = 5 decisions/)).toBeGreaterThan(at(/competes/))
    expect(at(/^estimate: about \$/)).toBeGreaterThan(at(/^measure when/))
    expect(at(/^measuring: 5\/5 decisions/)).toBeGreaterThan(at(/^estimate/))

    // by hand: the rule of trigger-words.ts on each prompt, for our description alone (page-maker is not listed in the runs)
    const hand = (x: TriggerQuery) => loads(DESCRIPTION, x.prompt)
    expect(QUERIES.map(hand)).toEqual([true, true, false, true, false])
    const out = r.stdout.trim().split('\n')
    expect(out[0]).toMatch(/^measured landing-page version 1: 5 queries x 1 repeat \(done\), \$/)
    expect(out.slice(1, 6)).toEqual([
      '  should       1/1 100%  Build a landing page for a bakery',
      '  should       1/1 100%  Make a hero section for a florist',
      '  should       0/1   0%  Design a homepage for a yoga studio',
      '  should-not   1/1 100%  Fix the typo in the landing page README',
      '  should-not   0/1   0%  Translate the business plan into French'
    ])
    expect(out[6]).toBe('recall: 2 of 3 should-trigger queries load it (67%)')
    expect(out[7]).toBe('false triggers: 1 of 2 near misses load it (50%)')
    expect(out[8]).toMatch(/^next: trace2skill optimize landing-page/)
    // the runs never listed the user's skills
    expect(script.requests.length).toBe(5)
    expect(script.requests.some((x) => JSON.stringify(x.body).includes('page-maker'))).toBe(false)
  }, 240_000)

  it('--json: the measurement with its scores and prompts; the estimate now from what was measured', async () => {
    const r = await cli(['triggers', NAME, '--repeats', '1', '--json', ...RUN])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/estimate: about \$[\d.]+ \(from this skill's earlier measurements\)/)
    const m = JSON.parse(r.stdout) as TriggerMeasure & { scores: Scores; prompts: Record<string, string> }
    expect(m.state).toBe('done')
    expect(m.scores).toMatchObject({ should: 3, loaded: 2, shouldNot: 2, falseLoaded: 1 })
    expect(m.prompts.s3).toBe('Design a homepage for a yoga studio')
    expect(m.rivals.map((x) => [x.kind, x.name])).toEqual([
      ['same-name', NAME],
      ['competes', 'page-maker']
    ])
  }, 240_000)

  it('Ctrl+C cancels the measurement in the app: it ends cancelled, printed as such, exit 1', async () => {
    delay = 5000
    const child = spawn(process.execPath, [BIN, 'triggers', NAME, '--repeats', '3', ...RUN], {
      env: { ...process.env, ...claudeEnv(configDir, server.url), TRACE2SKILL_DATA_DIR: dataDir }
    })
    let err = ''
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const measuring = new Promise<void>((ok) =>
      child.stderr.on('data', (d) => {
        err += d
        if (/^measuring: /m.test(err)) ok()
      })
    )
    const exited = new Promise<number | string | null>((ok) => child.on('close', (code, sig) => ok(code ?? sig)))
    try {
      await Promise.race([measuring, exited.then(() => Promise.reject(new Error(`it ended before measuring: ${err}`)))])
    } finally {
      child.kill('SIGINT')
    }
    expect(await exited).toBe(1)
    delay = 0
    expect(err).toMatch(/^cancelling the measurement$/m)
    expect(err).toMatch(/^trace2skill: the measurement did not finish: cancelled$/m)
    expect(out.split('\n')[0]).toMatch(/^measured landing-page version 1: 5 queries x 3 repeats \(cancelled\)/)
    expect(out).not.toMatch(/next: trace2skill optimize/)
  }, 240_000)
})
