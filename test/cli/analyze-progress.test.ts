/**
 * `analyze` over more runs than one context holds (31 imported, graded runs, scripted analysts), run in
 * this process as the bin runs it: the runs analysed in groups is said as a plain note, not a warning.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService } from '../../src/main/app/service'
import { runCli, type CliIo } from '../../src/main/cli/cli'
import { analystScript, firstMessageText, isAnalystRequest, kindOf } from '../support/analyst-script'
import { fixtureSessions } from '../support/fixture-sessions'
import { startModelServer, type ModelServer } from '../support/model-server'

const RUNS = 31

/** What runCli printed: stdout and stderr as text. */
export function capture(env: NodeJS.ProcessEnv, more: Partial<CliIo> = {}) {
  const got = { stdout: '', stderr: '' }
  const io: CliIo = { out: (t) => (got.stdout += `${t}\n`), err: (t) => (got.stderr += `${t}\n`), env, ...more }
  return { io, got }
}

describe('analyze over many runs, in words', () => {
  let server: ModelServer
  let env: NodeJS.ProcessEnv
  let batchId = ''

  beforeAll(async () => {
    const merge = analystScript({})
    server = await startModelServer((req) => {
      if (!isAnalystRequest(req.body)) return merge(req)
      const shown = [...firstMessageText(req.body).matchAll(/^=== Run (\d+)/gm)].map((m) => Number(m[1]))
      const text = kindOf(req.body) === 'edge' ? 'Before finishing, verify the page opens' : 'Run the build before finishing'
      return {
        toolUses: [
          {
            name: 'propose_rules',
            input: { rules: [{ rule: text, evidence: shown.slice(0, 2), priority: 'high', reason: 'runs' }] }
          }
        ]
      }
    })
    const dir = await mkdtemp(join(tmpdir(), 't2s-cli-groups-'))
    env = {
      CLAUDE_CONFIG_DIR: join(dir, 'claude'),
      TRACE2SKILL_DATA_DIR: join(dir, 'data'),
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: server.url,
      CHROMIUM_PATH: join(dir, 'no-chromium')
    }
    const ids = await fixtureSessions(env.CLAUDE_CONFIG_DIR!, RUNS, '-tmp-groups')
    const service = await createService({
      configDir: env.CLAUDE_CONFIG_DIR!,
      dataDir: env.TRACE2SKILL_DATA_DIR!,
      mode: 'web',
      version: 'test',
      env: {}
    })
    try {
      batchId = (await service.handlers.importSessions({ name: 'many', sessions: ids.map((sessionId) => ({ sessionId })) })).id
      for (const r of (await service.handlers.getBatch({ batchId })).runs)
        await service.handlers.saveFeedback({ runId: r.id, label: r.number % 2 ? 'good' : 'bad', text: `run ${r.number}` })
    } finally {
      await service.dispose()
    }
  }, 120_000)
  afterAll(async () => {
    await server?.close()
  })

  it('says the runs were analysed in groups as a plain note, not as a warning', async () => {
    const { io, got } = capture(env)
    expect(await runCli(['analyze', batchId], io), got.stderr).toBe(0)
    const lines = got.stderr.trim().split('\n')
    expect(lines).toContain(`${RUNS} runs were analysed in 4 groups; their rules were consolidated.`)
    expect(lines.filter((l) => /groups/.test(l) && l.startsWith('warning'))).toEqual([])
    // not a terminal: plain lines, no live line
    expect(got.stderr).not.toMatch(/\x1b|^analysts: /m)
    expect(lines).toContainEqual(expect.stringMatching(/^error analyst: done \(/))
  }, 120_000)

  it('on a terminal, keeps a live line of the analysts under those lines, and leaves none behind', async () => {
    let screen = ''
    const tty = { columns: () => 100, write: (t: string) => void (screen += t) }
    const { io } = capture(env, { err: (t) => tty.write(`${t}\n`), tty })
    expect(await runCli(['analyze', batchId], io)).toBe(0)
    const CLEAR = '\r\x1b[2K'
    const drawn = screen.split(/\r\x1b\[2K|\n/).filter((l) => /^(analysts: |merging the rules \| )/.test(l))
    expect(drawn.length).toBeGreaterThan(0)
    for (const l of drawn) {
      expect(l.length).toBeLessThanOrEqual(99)
      expect(l).toMatch(
        /^(analysts: \d of 4 done(, \d \w+)*|merging the rules) \| [\d.]+k? tokens, \$\d+\.\d{4} \| groups: \d+ of 16 done \| \d+:\d\d \|/
      )
    }
    // the tokens grow as the analysts answer
    expect(drawn.some((l) => /\| [1-9][\d.]*k? tokens/.test(l))).toBe(true)
    // what stays on screen: the lines printed, each once, and no live line
    const kept: string[] = ['']
    for (const part of screen.split(/(\r\x1b\[2K|\n)/))
      if (part === CLEAR) kept[kept.length - 1] = ''
      else if (part === '\n') kept.push('')
      else kept[kept.length - 1] += part
    expect(kept[kept.length - 1]).toBe('')
    expect(kept.filter((l) => l.startsWith('analysts: '))).toEqual([])
    expect(kept).toContain(`${RUNS} runs were analysed in 4 groups; their rules were consolidated.`)
    expect(kept).toContainEqual(expect.stringMatching(/^edge analyst: done \(/))
  }, 120_000)
})
