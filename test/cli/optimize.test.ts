/**
 * `trace2skill optimize` from the built bin: its arguments (each bad one refused in one line, exit 2,
 * before the data folder is even opened), its entry in the usage text, and a skill that is not there.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
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
