/**
 * Analysts through the user's own Claude Code login: the claudeCliModel port spawns the REAL
 * `claude` binary (`claude -p --json-schema ...`), which runs offline against the scripted Messages
 * API on loopback. claude offers the model a `StructuredOutput` tool; the scripted analysts call it.
 */
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { claudeCliModel, type ModelCall, type PromptBlock } from '../../src/main/analysts/model'
import { AnalystFleet, instructionsFor, PROPOSE_TOOL, SYSTEM, type AnalystStatus } from '../../src/main/analysts/pipeline'
import type { AnalystKind } from '../../src/shared/skills'
import { analystScript, firstMessageText, isClaudeStructured, kindOf, STRUCTURED_OUTPUT_TOOL } from '../support/analyst-script'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer, type RecordedRequest, type Script } from '../support/model-server'

const MODEL = 'claude-sonnet-4-5'
const SHARED_TEXT = [
  'Task: build a one-page landing site.',
  'Run 1 (good): "Clean page." Wrote index.html at the root.',
  'Run 2 (bad): "Nothing renders." Never ran the build.',
  'Run 3 (good): "Nice." Wrote index.html at the root.',
  'Run 4 (bad): "Broken." Wrote into a folder that did not exist.'
].join('\n')
const SHARED: PromptBlock[] = [{ type: 'text', text: SHARED_TEXT }]

const rule = (text: string, evidence: number[], priority: 'high' | 'medium' | 'low' = 'high') => ({
  rule: text,
  evidence,
  priority,
  reason: `seen in runs ${evidence.join(', ')}`
})

/** Live processes started with this config dir (claude and anything it started): read from /proc. */
async function processesWith(configDir: string): Promise<number[]> {
  const needle = `CLAUDE_CONFIG_DIR=${configDir}\0`
  const pids: number[] = []
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    try {
      const environ = await readFile(`/proc/${name}/environ`, 'latin1')
      const stat = await readFile(`/proc/${name}/stat`, 'latin1')
      // a zombie has been killed already; only its parent has yet to reap it
      if (environ.includes(needle) && !/\) Z /.test(stat)) pids.push(Number(name))
    } catch {
      /* gone, or not ours */
    }
  }
  return pids
}

async function sessionFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(join(dir, 'projects'), { recursive: true })).filter((f) => String(f).endsWith('.jsonl')).map(String)
  } catch {
    return []
  }
}

const analystRequests = (server: ModelServer, kind: AnalystKind): RecordedRequest[] =>
  server.requests.filter((r) => isClaudeStructured(r.body) && kindOf(r.body) === kind)

const call = (kind: AnalystKind = 'error'): ModelCall => ({
  model: MODEL,
  system: SYSTEM,
  shared: SHARED,
  instructions: instructionsFor(kind),
  tool: PROPOSE_TOOL,
  maxTokens: 4000
})

describe('four analysts through the real claude CLI against a scripted API', () => {
  let server: ModelServer
  let dir: string
  let fleet: AnalystFleet
  const statuses: string[] = []

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 't2s-claude-cli-'))
    server = await startModelServer(
      analystScript({
        // the first analyst answers slowly, so "begun" and "ended" are seconds apart: wide enough for
        // three more claude processes to start on a busy 2-core machine (700 ms a chunk was not)
        error: {
          chunkDelayMs: 1500,
          rules: [rule('Run the build before saying it is done', [2, 4]), rule('Check the config exists', [2])]
        },
        success: { rules: [rule('Write index.html at the workspace root', [1, 3], 'medium'), rule('Cite a ghost', [99])] },
        structure: { malformed: true, rules: [] },
        edge: { rules: [rule('Before writing, verify the folder exists', [4], 'low')] }
      })
    )
    fleet = new AnalystFleet({
      // its own time limit ends claude before the hook's, so a failure leaves no process behind
      port: claudeCliModel({ claudePath: CLAUDE_BIN, env: claudeEnv(dir, server.url), cwd: dir, timeoutMs: 120_000 }),
      model: MODEL,
      shared: SHARED,
      runNumbers: new Set([1, 2, 3, 4]),
      onStatus: (s) =>
        statuses.push(`${s.kind}:${s.state}${s.state === 'streaming' && s.drafts?.length ? `:${s.drafts.length} drafts` : ''}`)
    })
    await fleet.run()
  }, 180_000)
  afterAll(async () => {
    await server?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const s = (k: AnalystKind): AnalystStatus => fleet.status.get(k)!

  it("gets each analyst's rules from claude's structured output", () => {
    expect([...fleet.status.values()].map((x) => `${x.kind}:${x.state}`)).toEqual([
      'error:done',
      'success:done',
      'structure:failed',
      'edge:done'
    ])
    expect(s('error').rules).toEqual([{ ...rule('Run the build before saying it is done', [2, 4]), id: 'a1-error-1', analyst: 'error' }])
    expect(s('error').setAside).toEqual([
      {
        rule: { ...rule('Check the config exists', [2]), id: 'a1-error-2', analyst: 'error' },
        why: '1 run of evidence; the error analyst needs at least 2'
      }
    ])
    expect(s('success').rules).toEqual([
      { ...rule('Write index.html at the workspace root', [1, 3], 'medium'), id: 'a1-success-1', analyst: 'success' }
    ])
    expect(s('success').setAside.map((x) => x.why)).toEqual(['cites a run not in this analysis: 99'])
    expect(s('edge').rules).toEqual([{ ...rule('Before writing, verify the folder exists', [4], 'low'), id: 'a1-edge-1', analyst: 'edge' }])
    expect(s('edge').setAside).toEqual([])
    for (const k of ['error', 'success', 'edge'] as const) expect(s(k).error).toBeUndefined()
  })

  it("fails the malformed one with a one-line reason from claude's schema check", () => {
    expect(s('structure').state).toBe('failed')
    expect(s('structure').rules).toEqual([])
    expect(s('structure').error).toMatch(/^bad answer: it does not fit the schema \(\/rules\/0: must have required property 'priority'/)
    expect(s('structure').error).not.toContain('\n')
    // claude sent the mismatch back to the model until its turn limit: three tries, the later two
    // carrying its error tool_result
    const tries = analystRequests(server, 'structure')
    expect(tries).toHaveLength(3)
    const last = tries[2].body.messages
    const results = last
      .flatMap((m: { content: unknown }) => (Array.isArray(m.content) ? m.content : []))
      .filter((c: { type?: string }) => c.type === 'tool_result')
    expect(results).toHaveLength(2)
    expect(results[0]).toMatchObject({ is_error: true })
  })

  it("sends every analyst's prompt, the system text and the model to the API, with the schema as the StructuredOutput tool", () => {
    for (const kind of ['error', 'success', 'structure', 'edge'] as const) {
      const [first] = analystRequests(server, kind)
      expect(first, kind).toBeDefined()
      expect(first.status).toBe(200)
      expect(first.body.model).toBe(MODEL)
      // no tools but the structured-output one (--tools "")
      expect(first.body.tools.map((t: { name: string }) => t.name)).toEqual([STRUCTURED_OUTPUT_TOOL])
      expect(first.body.tools[0].input_schema).toEqual(PROPOSE_TOOL.input_schema)
      // the shared text, then the analyst's instructions, as the first message's last two blocks
      const blocks = first.body.messages[0].content
      expect(blocks.slice(-2).map((b: { text?: string }) => b.text)).toEqual([
        SHARED_TEXT,
        `${instructionsFor(kind)}\n\n(Here the tool to answer with is StructuredOutput: call it with what propose_rules takes.)`
      ])
      expect(firstMessageText(first.body)).toContain(SHARED_TEXT)
      expect(JSON.stringify(first.body.system)).toContain(JSON.stringify(SYSTEM).slice(1, -1))
    }
    // the one that answered well was asked once
    for (const kind of ['error', 'success', 'edge'] as const) expect(analystRequests(server, kind)).toHaveLength(1)
  })

  it('starts the other three once the first has begun answering, while it still streams', () => {
    const [lead] = analystRequests(server, 'error')
    const others = (['success', 'structure', 'edge'] as const).map((k) => analystRequests(server, k)[0])
    for (const r of others) expect(r.receivedAt).toBeGreaterThanOrEqual(lead.firstByteAt!)
    expect(Math.min(...others.map((r) => r.receivedAt))).toBeLessThan(lead.endedAt!)
    expect(statuses).toContain('success:waiting')
    // the rules showed as drafts while claude's answer still streamed
    expect(statuses).toContain('error:streaming:2 drafts')
  })

  it('reports usage and cost, and leaves no session behind', async () => {
    for (const k of ['error', 'success', 'edge'] as const) {
      expect(s(k).usage.input).toBeGreaterThan(0)
      expect(s(k).usage.output).toBeGreaterThan(0)
      expect(s(k).costUsd).toBeGreaterThan(0)
    }
    // analyst calls are not runs: nothing under projects/ for the app to list as a trace
    expect(await sessionFiles(dir)).toEqual([])
    expect(await processesWith(dir)).toEqual([])
  })
})

describe('cancel through the claude CLI', () => {
  it('cancels one analyst, ends its claude process, and lets the others finish', async () => {
    const dir = await mkdtemp(join(tmpdir(), 't2s-claude-cancel-'))
    const server = await startModelServer(
      analystScript({
        error: { rules: [rule('Do A first', [1, 2])] },
        success: { rules: [rule('Do B always', [1])], delayMs: 20_000 },
        structure: { rules: [rule('Do C then', [1, 2])] },
        edge: { rules: [rule('Before D, check E', [1])] }
      })
    )
    try {
      const fleet = new AnalystFleet({
        // its own time limit ends claude before the test's, so a failure leaves no process behind
        port: claudeCliModel({ claudePath: CLAUDE_BIN, env: claudeEnv(dir, server.url), cwd: dir, timeoutMs: 60_000 }),
        model: MODEL,
        shared: SHARED,
        runNumbers: new Set([1, 2, 3, 4]),
        onStatus: () => {}
      })
      const started = Date.now()
      const running = fleet.run()
      // wait until the success analyst's request is at the server (its reply is held back)
      while (analystRequests(server, 'success').length === 0) {
        if (Date.now() - started > 60_000) throw new Error('the success analyst never reached the server')
        await new Promise((r) => setTimeout(r, 50))
      }
      expect((await processesWith(dir)).length).toBeGreaterThan(0)
      fleet.cancel('success')
      await running
      expect([...fleet.status.values()].map((x) => `${x.kind}:${x.state}`)).toEqual([
        'error:done',
        'success:cancelled',
        'structure:done',
        'edge:done'
      ])
      expect(fleet.status.get('success')!.error).toBe('cancelled')
      expect(fleet.status.get('success')!.rules).toEqual([])
      expect(fleet.status.get('error')!.rules.map((r) => r.rule)).toEqual(['Do A first'])
      // well before the held-back reply would have come
      expect(Date.now() - started).toBeLessThan(20_000)
      expect(await processesWith(dir)).toEqual([])
    } finally {
      await server.close()
      await rm(dir, { recursive: true, force: true })
    }
  }, 90_000)

  it('does not start claude for a call already cancelled', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(
      claudeCliModel({ claudePath: join(tmpdir(), 'never-run-claude') }).call(call(), {}, controller.signal)
    ).rejects.toMatchObject({ name: 'AbortError' })
  })
})

describe('claude CLI failures, each in one line', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 't2s-claude-fail-'))
  })
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  // its own time limit ends claude before the test's, so a failing test leaves no process behind
  const realClaude = (server: ModelServer) =>
    claudeCliModel({ claudePath: CLAUDE_BIN, env: claudeEnv(dir, server.url), cwd: dir, timeoutMs: 40_000 })

  const withServer = async (script: Script, run: (server: ModelServer) => Promise<void>) => {
    const server = await startModelServer(script)
    try {
      await run(server)
    } finally {
      await server.close()
    }
  }

  it('names a missing binary, and the analyst fails with it', async () => {
    const missing = join(dir, 'no-such-claude')
    const port = claudeCliModel({ claudePath: missing })
    const err = await port.call(call(), {}, new AbortController().signal).then(
      () => null,
      (e: Error) => e
    )
    expect(err?.message).toBe(
      `Claude Code was not found at \`${missing}\`: install it (npm i -g @anthropic-ai/claude-code) or set its path`
    )
    const fleet = new AnalystFleet({ port, model: MODEL, shared: SHARED, runNumbers: new Set([1]), kinds: ['edge'], onStatus: () => {} })
    await fleet.run()
    expect(fleet.status.get('edge')).toMatchObject({ state: 'failed', error: err?.message })
  })

  it('says how claude exited when it gives no result', async () => {
    const fake = join(dir, 'fake-claude')
    await writeFile(fake, '#!/bin/sh\necho "starting" >&2\necho "error: unknown option --json-schema" >&2\nexit 3\n')
    await chmod(fake, 0o755)
    await expect(claudeCliModel({ claudePath: fake }).call(call(), {}, new AbortController().signal)).rejects.toThrow(
      /^claude -p exited with code 3 without a result: error: unknown option --json-schema$/
    )
  })

  it('passes on an API error claude reports', async () => {
    await withServer(
      () => ({ error: { status: 400, type: 'invalid_request_error', message: 'scripted: this model does not exist' } }),
      async (server) => {
        await expect(realClaude(server).call(call(), {}, new AbortController().signal)).rejects.toThrow(
          /^claude -p failed: API Error: 400 .*this model does not exist/
        )
      }
    )
  }, 60_000)

  it('stops at a refused login instead of retrying for minutes', async () => {
    await withServer(
      () => ({ error: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' } }),
      async (server) => {
        const started = Date.now()
        await expect(realClaude(server).call(call(), {}, new AbortController().signal)).rejects.toThrow(
          /^the Claude Code login was refused \(401.*\): run `claude` and \/login/
        )
        expect(Date.now() - started).toBeLessThan(30_000)
        expect(await processesWith(dir)).toEqual([])
      }
    )
  }, 60_000)

  it('stops claude at its time limit', async () => {
    await withServer(
      () => ({ text: 'late', delayMs: 20_000 }),
      async (server) => {
        const started = Date.now()
        const port = claudeCliModel({ claudePath: CLAUDE_BIN, env: claudeEnv(dir, server.url), cwd: dir, timeoutMs: 4000 })
        await expect(port.call(call(), {}, new AbortController().signal)).rejects.toThrow(/^claude -p took longer than 4s and was stopped$/)
        expect(Date.now() - started).toBeLessThan(15_000)
        expect(await processesWith(dir)).toEqual([])
      }
    )
  }, 60_000)

  it('calls a text answer a bad answer', async () => {
    await withServer(
      () => ({ text: 'Here are my rules: be careful.' }),
      async (server) => {
        const err = await realClaude(server)
          .call(call(), {}, new AbortController().signal)
          .then(
            () => null,
            (e: Error & { code?: string }) => e
          )
        expect(err?.message).toBe('bad answer: claude -p returned no structured output (it answered: "Here are my rules: be careful.")')
        expect(err?.code).toBe('bad-answer')
        // claude asked once more for the StructuredOutput call before giving up
        expect(server.requests.filter((r) => isClaudeStructured(r.body)).length).toBeGreaterThanOrEqual(2)
      }
    )
  }, 60_000)
})
