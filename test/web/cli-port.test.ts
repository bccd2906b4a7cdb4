/**
 * `trace2skill web --port` with a value that is not a port: one clear line and exit code 2 (a
 * negative number used to read as an option: "ambiguous").
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../src/main/cli/cli'

async function cli(argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const env = {
    CLAUDE_CONFIG_DIR: await mkdtemp(join(tmpdir(), 't2s-cliport-c-')),
    TRACE2SKILL_DATA_DIR: await mkdtemp(join(tmpdir(), 't2s-cliport-d-'))
  }
  // never left running: a port that passed would start the server, so stop it at once
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env, untilStopped: Promise.resolve() })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('web --port', () => {
  for (const [argv, shown] of [
    [['web', '--port', '-1'], '-1'],
    [['web', '--port=-1'], '-1'],
    [['web', '--port', 'abc'], 'abc'],
    [['web', '--port', '70000'], '70000'],
    [['web', '--port', '-80'], '-80'],
    [['web', '--port', ''], ''],
    [['web', '--port', '1e3'], '1e3'],
    [['web', '--port', '0x50'], '0x50']
  ] as const) {
    it(`${argv.slice(1).join(' ') || '(empty)'} is refused clearly`, async () => {
      const r = await cli([...argv])
      expect(r.code).toBe(2)
      expect(r.err).toBe(`trace2skill: --port takes a number from 0 to 65535, not ${shown}`)
      expect(r.out).toBe('')
    })
  }
})
