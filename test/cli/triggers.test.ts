/**
 * `trace2skill triggers <skill>` from the built bin: bad arguments are one line and exit 2 before the
 * data folder is opened; an unknown skill is named.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { measureText, rivalLine } from '../../src/main/cli/commands/triggers'
import type { Decision, TriggerMeasure } from '../../src/shared/triggers'
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
