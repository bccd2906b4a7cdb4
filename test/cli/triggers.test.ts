/**
 * `trace2skill triggers <skill>` from the built bin: bad arguments are one line and exit 2 before the
 * data folder is opened; an unknown skill is named.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliIn, oneLine } from './support'

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
