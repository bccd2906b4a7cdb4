/**
 * `trace2skill optimize` from the built bin: its arguments (each bad one refused in one line, exit 2,
 * before the data folder is even opened), its entry in the usage text, and a skill that is not there;
 * then optimising with the real claude and the scripted model (the query runs by the words rule, the
 * proposer from the failures it is shown): each round printed, the table, the pick, the version saved.
 */
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../src/main/app/service'
import type { Optimisation } from '../../src/shared/triggers'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { LANDING_DESCRIPTION, LANDING_QUERIES, optimiseScript } from '../support/propose-script'
import { triggerScript } from '../support/trigger-script'
import { plantTriggerSkill } from '../support/trigger-skill'
import { cliIn, oneLine } from './support'

describe('optimize from the command line: its arguments', () => {
  let dir = ''
  const env = () => ({
    CLAUDE_CONFIG_DIR: join(dir, 'claude'),
    TRACE2SKILL_DATA_DIR: join(dir, 'data'),
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:9'
  })
  const cli = (args: string[]) => cliIn(args, env())

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 't2s-cli-optimize-'))
  })

  it('lists optimize with its options in the usage text', async () => {
    const r = await cli(['--help'])
    const lines = r.stdout.split('\n')
    const at = lines.findIndex((l) => l.startsWith('  optimize '))
    expect(at).toBeGreaterThan(0)
    const entry = [lines[at], ...lines.slice(at + 1).filter((_, i, all) => all.slice(0, i + 1).every((l) => /^ {4,}/.test(l)))].join(' ')
    for (const o of ['<skill>', '--version', '--rounds', '--repeats', '--dry-run', '--json']) expect(entry).toContain(o)
    expect(entry).toMatch(/chosen by the held-out queries/)
  })

  it('refuses bad arguments in one line, before the data folder is opened', async () => {
    const cases: [string[], RegExp][] = [
      [['optimize'], /^trace2skill: optimize needs a skill \(its id or name\)$/],
      [['optimize', 'a', 'b'], /unexpected argument b/],
      [['optimize', 'landing-pages', '--rounds', '0'], /--rounds takes a whole number from 1 to 10, not 0/],
      [['optimize', 'landing-pages', '--rounds', 'five'], /--rounds takes a whole number from 1 to 10, not five/],
      [['optimize', 'landing-pages', '--repeats', '11'], /--repeats takes a whole number from 1 to 10, not 11/],
      [['optimize', 'landing-pages', '--version', 'newest'], /--version takes a version number of the skill \(1, 2, \.\.\.\), not newest/],
      [['optimize', 'landing-pages', '--preset', 'yolo'], /--preset takes .*, not yolo/],
      [['optimize', 'landing-pages', '--concurrency', '0'], /--concurrency takes a whole number from 1 to 16, not 0/],
      [['optimize', 'landing-pages', '--cap', 'lots'], /--cap takes US dollars, more than 0 and at most 10000 \(such as 25\), not lots/],
      [['optimize', 'landing-pages', '--n', '3'], /^trace2skill: unknown option '--n'$/]
    ]
    for (const [args, message] of cases) {
      const r = await cli(args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2)
      expect(oneLine(r)).toMatch(message)
      expect(r.stdout).toBe('')
    }
  })

  it('names a skill that is not there', async () => {
    const r = await cli(['optimize', 'no-such-skill', '--dry-run'])
    expect(r.code).toBe(1)
    expect(oneLine(r)).toMatch(/no such skill: no-such-skill/)
  })
})

describe('optimize from the command line, with the real claude and a scripted model', () => {
  let server: ModelServer
  let dir = ''
  const script = optimiseScript(['generalise', 'overfit'], triggerScript())
  const env = () => ({ ...claudeEnv(join(dir, 'claude'), server.url), TRACE2SKILL_DATA_DIR: join(dir, 'data') })
  const cli = (args: string[]) => cliIn(args, env())
  const RUN = ['--repeats', '1', '--cap', '100', '--preset', 'accept-edits', '--claude', CLAUDE_BIN, '--concurrency', '2']

  beforeAll(async () => {
    server = await startModelServer(script)
    dir = await mkdtemp(join(tmpdir(), 't2s-cli-optimize-claude-'))
    await mkdir(join(dir, 'claude'), { recursive: true })
    const service = await createService({
      configDir: join(dir, 'claude'),
      dataDir: join(dir, 'data'),
      mode: 'web',
      version: 'test',
      env: claudeEnv(join(dir, 'claude'), server.url)
    })
    try {
      const { skillId } = await plantTriggerSkill(service, { name: 'landing-pages', description: LANDING_DESCRIPTION })
      await service.handlers.saveTriggerQueries({ skillId, queries: LANDING_QUERIES })
    } finally {
      await service.dispose()
    }
  }, 60_000)
  afterAll(async () => {
    await server?.close()
  })

  it('--dry-run --json: the rounds and the pick, nothing saved', async () => {
    script.proposals.length = 0
    const r = await cli(['optimize', 'landing-pages', '--rounds', '1', '--dry-run', '--json', ...RUN])
    expect(r.code, r.stderr).toBe(0)
    const got = JSON.parse(r.stdout) as { optimisation: Optimisation; saved: unknown }
    expect(got.saved).toBeNull()
    expect(got.optimisation.done.map((x) => x.round)).toEqual([0, 1])
    expect(got.optimisation.best).toBe(1)
    const skill = JSON.parse((await cli(['skill', 'landing-pages', '--json'])).stdout) as { versions: unknown[] }
    expect(skill.versions).toHaveLength(1)
  }, 240_000)

  it('prints each round, the table, the pick and why, and saves it as a new version', async () => {
    script.proposals.length = 0
    const r = await cli(['optimize', 'landing-pages', ...RUN])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(
      /optimise the description of landing-pages version 1: 16 queries x 1 repeat a round, up to 5 rounds after its own/
    )
    expect(r.stderr).toMatch(
      /^round 0: training recall 0\/6 0%, false triggers 1\/4 25%; held-out recall 1\/4 25%, false triggers 0\/2 0%/m
    )
    expect(r.stderr).toMatch(
      /^round 1: training recall 5\/6 83%, false triggers 0\/4 0%; held-out recall 4\/4 100%, false triggers 0\/2 0%/m
    )
    expect(r.stderr).toMatch(
      /^round 2: training recall 6\/6 100%, false triggers 0\/4 0%; held-out recall 4\/4 100%, false triggers 1\/2 50%/m
    )
    const lines = r.stdout.trim().split('\n')
    expect(lines[1].split(/\s{2,}/)).toEqual(['round', 'train recall', 'train false', 'held-out recall', 'held-out false', 'cost'])
    expect(lines[4].split(/\s{2,}/).slice(0, 5)).toEqual(['1*', '5/6 83%', '0/4 0%', '4/4 100%', '0/2 0%'])
    expect(lines).toContainEqual(expect.stringMatching(/^chosen: round 1\. Round 1 did best on the held-out queries/))
    expect(lines.at(-1)).toBe('saved as version 2 of landing-pages ("description from optimisation round 1")')
    const skill = JSON.parse((await cli(['skill', 'landing-pages', '--json'])).stdout) as {
      skill: { frontMatter: { description: string } }
    }
    expect(skill.skill.frontMatter.description).toBe(JSON.parse(lines[5].trim()))
  }, 300_000)
})
