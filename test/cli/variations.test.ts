/**
 * Variations from the command line, against the scripted model (the real SDK, the app's own core):
 * `variations` writes the numbered list `run` takes (or JSON, or a new file, never over one), bad
 * mixes and a model that answers wrong twice are refused in one line with nothing written; `run`
 * without `--variations` has them written first (with the real claude running them), says so, and
 * keeps them with the task and its batch.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../src/main/app/service'
import { parseNumberedList } from '../../src/shared/runs'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer, type Reply } from '../support/model-server'
import { prompt, scenarioScript } from '../support/scenarios'
import { BIN } from '../support/cli'
import { cliIn, oneLine } from './support'

const EASY = prompt('write-file', 'An easy landing page for a bakery with a hero and three cards.')
// its own numbered lines would read as new variations in a list: put on one line there
const NORMAL = `${prompt('write-file', 'A landing page for a bank with:')}\n1. a hero\n2. three cards`
const HARD = prompt('write-file', 'A hard landing page for a zoo, in two languages at once.')

describe('variations from the command line', () => {
  let server: ModelServer
  let dir: string
  let configDir: string
  let dataDir: string
  const env = () => ({ ...claudeEnv(configDir, server.url), TRACE2SKILL_DATA_DIR: dataDir, CHROMIUM_PATH: join(dir, 'no-chromium') })
  const cli = (args: string[]) => cliIn(args, env())
  let slowAsked = () => {}
  const asked = () => server.requests.filter((r) => r.body?.tool_choice?.name === 'propose_variations')

  beforeAll(async () => {
    const runs = scenarioScript()
    server = await startModelServer((req) => {
      if (req.body?.tool_choice?.name !== 'propose_variations') return runs(req)
      const text = JSON.stringify(req.body.messages)
      if (text.includes('MALFORMED')) return { toolUses: [{ name: 'propose_variations', input: { variations: 'not a list' } }] } as Reply
      // a model that takes its time: the command is stopped while it waits
      if (text.includes('SLOW')) slowAsked()
      if (text.includes('SLOW')) return { delayMs: 60_000, toolUses: [{ name: 'propose_variations', input: { variations: [] } }] } as Reply
      const want = (d: string) => Number(new RegExp(`- (\\d+) ${d}:`).exec(req.body.messages[0].content)?.[1] ?? 0)
      const list = [
        ...(want('easy') ? [{ difficulty: 'easy', prompt: EASY }] : []),
        ...(want('normal') ? [{ difficulty: 'normal', prompt: NORMAL }] : []),
        ...(want('hard') ? [{ difficulty: 'hard', prompt: HARD }] : [])
      ]
      return { toolUses: [{ name: 'propose_variations', input: { variations: list } }] }
    })
    dir = await mkdtemp(join(tmpdir(), 't2s-cli-variations-'))
    configDir = join(dir, 'claude')
    dataDir = join(dir, 'data')
    await writeFile(join(dir, 'Landing page.txt'), 'Build a landing page.')
    await writeFile(join(dir, 'broken.txt'), 'MALFORMED answers only.')
    await writeFile(join(dir, 'slow.txt'), 'SLOW answers only.')
  })
  afterAll(async () => {
    await server?.close()
  })

  it('writes the numbered list run takes, in the mix asked, with a forced tool call', async () => {
    const r = await cli(['variations', '--task', join(dir, 'Landing page.txt'), '--mix', '1,1,1,0'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(
      `1. [easy] ${EASY}\n2. [normal] ${prompt('write-file', 'A landing page for a bank with:')} 1. a hero 2. three cards\n3. [hard] ${HARD}\n`
    )
    expect(parseNumberedList(r.stdout).items.map((v) => v.difficulty)).toEqual(['easy', 'normal', 'hard'])
    const err = r.stderr.trim().split('\n')
    expect(err[0]).toBe('writing 3 variations (1 easy, 1 normal, 1 hard) of "Landing page" with claude-sonnet-5-5')
    expect(err).toContain(
      'note: variation 2 is put on one line (its own numbered lines would read as new variations; --json keeps it as written)'
    )
    expect(err[err.length - 1]).toMatch(/^next: trace2skill run --task .*Landing page\.txt --variations /)
    const body = asked()[0].body
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'propose_variations' })
    expect(body.messages[0].content).toContain('Exactly this many of each difficulty')
    // the store was not touched: nothing to lock, nothing written
    expect(r.stderr).not.toMatch(/in use by/)
  })

  it('writes JSON into a new file, and never over a file that is there', async () => {
    const out = join(dir, 'v.json')
    const r = await cli(['variations', '--task', join(dir, 'Landing page.txt'), '--mix', '1,1,0,0', '--out', out])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe('')
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual([
      { difficulty: 'easy', prompt: EASY },
      { difficulty: 'normal', prompt: NORMAL }
    ])
    expect(r.stderr).toContain(`2 variations written to ${out}`)
    const before = asked().length
    const again = await cli(['variations', '--task', join(dir, 'Landing page.txt'), '--out', out])
    expect(again.code).toBe(2)
    expect(oneLine(again)).toBe(`trace2skill: --out ${out} exists: give a new file name (nothing was overwritten)`)
    expect(asked().length).toBe(before)
    // --json on stdout
    const json = await cli(['variations', '--task', join(dir, 'Landing page.txt'), '--mix', '0,0,1,0', '--json'])
    expect(JSON.parse(json.stdout)).toEqual([{ difficulty: 'hard', prompt: HARD }])
  })

  it('refuses bad arguments in one line, and says why a model answer was refused, writing nothing', async () => {
    const cases: [string[], number, RegExp][] = [
      [['variations'], 2, /variations needs --task <file>/],
      [['variations', '--task', join(dir, 'nope.txt')], 2, /cannot read --task .*nope\.txt: ENOENT/],
      [
        ['variations', '--task', join(dir, 'Landing page.txt'), '--mix', '1,2,3'],
        2,
        /--mix takes four whole numbers .* \(such as 5,8,4,3\), not 1,2,3/
      ],
      [['variations', '--task', join(dir, 'Landing page.txt'), '--mix', '0,0,0,0'], 2, /--mix 0,0,0,0 asks for no variation/],
      [['run', '--task', join(dir, 'Landing page.txt'), '--variations', join(dir, 'v.json'), '--mix', '1,1,1,1'], 2, /not both/]
    ]
    for (const [args, code, message] of cases) {
      const r = await cli(args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code)
      expect(oneLine(r)).toMatch(message)
      expect(r.stdout).toBe('')
    }
    const out = join(dir, 'broken.txt.out')
    const bad = await cli(['variations', '--task', join(dir, 'broken.txt'), '--mix', '1,0,0,0', '--out', out])
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim().split('\n').pop()).toMatch(
      /^trace2skill: The model's variations were rejected twice \(.*\); nothing was saved/
    )
    await expect(readFile(out, 'utf8')).rejects.toThrow(/ENOENT/)
    const noKey = await cliIn(['variations', '--task', join(dir, 'Landing page.txt')], { ...env(), ANTHROPIC_API_KEY: '' })
    expect(noKey.code).toBe(1)
    expect(noKey.stderr.trim().split('\n').pop()).toMatch(/^trace2skill: No Anthropic API key: set ANTHROPIC_API_KEY/)
  })

  it('stops at Ctrl+C while the model writes, in one line, writing nothing', async () => {
    const out = join(dir, 'stopped.txt')
    // the request reached the model: the command is waiting on it when stopped
    const waiting = new Promise<void>((ok) => (slowAsked = ok))
    const child = spawn(process.execPath, [BIN, 'variations', '--task', join(dir, 'slow.txt'), '--mix', '1,0,0,0', '--out', out], {
      env: { ...process.env, ...env() }
    })
    let err = ''
    child.stderr.on('data', (d) => (err += d))
    const exited = new Promise<number | string | null>((ok) => child.on('close', (code, sig) => ok(code ?? sig)))
    await waiting
    child.kill('SIGINT')
    expect(await exited).toBe(1)
    expect(err.trim().split('\n').pop()).toBe('trace2skill: cancelled: no variations were written')
    await expect(readFile(out, 'utf8')).rejects.toThrow(/ENOENT/)
  })

  it('run without --variations has them written first, says so, runs them, and keeps them with the task and its batch', async () => {
    const r = await cli([
      'run',
      '--task',
      join(dir, 'Landing page.txt'),
      '--mix',
      '1,0,1,0',
      '--max-turns',
      '5',
      '--claude',
      CLAUDE_BIN,
      '--preset',
      'accept-edits',
      '--json'
    ])
    expect(r.code, r.stderr).toBe(0)
    const got = JSON.parse(r.stdout) as { batchId: string; variations: unknown; runs: { number: number; state: string }[] }
    expect(got.variations).toEqual({ source: 'written', count: 2 })
    expect(got.runs.map((x) => [x.number, x.state])).toEqual([
      [1, 'done'],
      [2, 'done']
    ])
    expect(r.stderr).toContain('writing 2 variations (1 easy, 1 hard) of "Landing page" with claude-sonnet-5-5')
    expect(r.stderr).toContain(
      `the 2 variations written are kept with the task "Landing page" and its batch (\`trace2skill batch ${got.batchId}\` shows each prompt)`
    )
    const batch = JSON.parse((await cli(['batch', got.batchId, '--json'])).stdout) as { runs: { difficulty: string; prompt: string }[] }
    expect(batch.runs.map((x) => [x.difficulty, x.prompt])).toEqual([
      ['easy', EASY],
      ['hard', HARD]
    ])
    // the app shows them on the task
    const service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: {}, readOnly: true })
    try {
      const task = (await service.handlers.listTasks({})).find((t) => t.name === 'Landing page')!
      expect((await service.handlers.getVariations({ taskId: task.id })).map((v) => v.prompt)).toEqual([EASY, HARD])
    } finally {
      await service.dispose()
    }
  }, 180_000)
})
