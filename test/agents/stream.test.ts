/**
 * The one reader of `claude`'s stream-json, over real streams captured from the pinned claude
 * (2.1.330) running offline against the scripted Messages API: a run with a sub-agent and partial
 * messages, a run whose tools fail, and the analysts' `--json-schema` call.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseLine, readMessages, StreamReader, type ClaudeMessage, type StreamStats } from '../../src/main/agents/claude-code/stream'
import { StreamTracker } from '../../src/main/agents/claude-code/monitor'
import { analystScript } from '../support/analyst-script'
import { claudeEnv, runClaude } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { prompt, scenarioScript } from '../support/scenarios'
import { CLAUDE_BIN } from '../support/claude-harness'
import { execFile } from 'node:child_process'

const read = (text: string | Buffer, chunk = Infinity) => {
  const out: ClaudeMessage[] = []
  const r = new StreamReader((m) => out.push(m))
  const buf = Buffer.from(text)
  for (let i = 0; i < buf.length; i += chunk === Infinity ? buf.length : chunk)
    r.push(buf.subarray(i, i + (chunk === Infinity ? buf.length : chunk)))
  r.end()
  return { messages: out, stats: r.stats }
}

describe('stream-json from the real claude', () => {
  let dir: string
  let server: ModelServer
  let analysts: ModelServer
  const streams: Record<string, { stdout: string; sessionId: string }> = {}

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 't2s-stream-'))
    server = await startModelServer(scenarioScript())
    const run = async (name: string, scenario: string, extraArgs: string[] = []) => {
      const r = await runClaude({
        configDir: dir,
        cwd: dir,
        prompt: prompt(scenario, `(${name}) é ü 漢字`),
        serverUrl: server.url,
        maxTurns: 10,
        extraArgs
      })
      if (r.code !== 0) throw new Error(`claude exited ${r.code}: ${r.stderr.slice(0, 300)}`)
      streams[name] = { stdout: r.stdout, sessionId: r.sessionId }
    }
    await run('subagent', 'subagent', ['--include-partial-messages'])
    await run('tool-errors', 'tool-errors')
    // the analysts' call: claude -p --json-schema with partial messages, the prompt on stdin
    analysts = await startModelServer(
      analystScript({
        error: { rules: [{ rule: 'Run the build — always', evidence: [1, 2], priority: 'high', reason: 'runs 1, 2' }] },
        success: { rules: [] },
        structure: { rules: [] },
        edge: { rules: [] }
      })
    )
    const schema = { type: 'object', properties: { rules: { type: 'array', items: { type: 'object' } } }, required: ['rules'] }
    streams.analyst = await new Promise((resolve, reject) => {
      const child = execFile(
        CLAUDE_BIN,
        [
          '-p',
          '--output-format',
          'stream-json',
          '--verbose',
          '--include-partial-messages',
          '--json-schema',
          JSON.stringify(schema),
          '--model',
          'claude-sonnet-4-5',
          '--tools',
          '',
          '--max-turns',
          '3',
          '--no-session-persistence'
        ],
        { cwd: dir, env: claudeEnv(dir, analysts.url), maxBuffer: 64 << 20, timeout: 120_000 },
        (err, stdout) => (err ? reject(err) : resolve({ stdout, sessionId: '' }))
      )
      child.stdin!.end('You are the error analyst. Answer with rules.')
    })
  }, 240_000)
  afterAll(async () => {
    await server?.close()
    await analysts?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('reads every line: each one a typed message or a kind it knowingly ignores, none malformed', () => {
    for (const [name, s] of Object.entries(streams)) {
      const lines = s.stdout.split('\n').filter((l) => l.trim())
      const { messages, stats } = read(s.stdout)
      expect(stats, name).toMatchObject({ lines: lines.length, malformed: 0 })
      expect(stats.messages + stats.ignored, name).toBe(lines.length)
      // the first line is init (with the run's session id), the last the result
      const init = messages[0]
      expect(init.type === 'system' && init.subtype === 'init' ? init.session_id : null, name).toEqual(s.sessionId || expect.any(String))
      const last = messages[messages.length - 1]
      expect(last.type === 'result' ? [last.subtype, last.is_error] : null, name).toEqual(['success', false])
      // every assistant line of the raw stream is a typed assistant message, its blocks kept
      const raw = lines.map((l) => JSON.parse(l))
      expect(messages.filter((m) => m.type === 'assistant').length, name).toBe(raw.filter((m) => m.type === 'assistant').length)
      const rawBlocks = raw.filter((m) => m.type === 'assistant').flatMap((m) => m.message.content.map((b: { type: string }) => b.type))
      expect(
        messages.flatMap((m) => (m.type === 'assistant' ? m.message.content.map((b) => b.type) : [])),
        name
      ).toEqual(rawBlocks)
    }
  })

  it('knows the run with a sub-agent: its messages carry the parent tool_use id, and partial messages stream events', () => {
    const { messages, stats } = read(streams.subagent.stdout)
    const sub = messages.filter((m) => (m.type === 'assistant' || m.type === 'user') && m.parent_tool_use_id)
    expect(sub.length).toBeGreaterThan(0)
    const events = messages.filter((m) => m.type === 'stream_event')
    expect(
      events
        .map((m) => (m.type === 'stream_event' ? m.event.type : ''))
        .filter((t, i, a) => a.indexOf(t) === i)
        .sort()
    ).toEqual(['content_block_delta', 'message_delta', 'message_start'])
    // the stream events it does not use (content_block_start/stop, message_stop...) are ignored, not malformed
    expect(stats.ignored).toBeGreaterThan(0)
    // the text survives, multi-byte characters included
    const user = messages.find((m) => m.type === 'user' && typeof m.message.content === 'string')
    expect(user === undefined || (user.type === 'user' && String(user.message.content).includes('é ü 漢字'))).toBe(true)
  })

  it("gives the analysts' call its structured output, usage and model", () => {
    const { messages } = read(streams.analyst.stdout)
    const result = messages.find((m) => m.type === 'result')
    expect(result?.type === 'result' && result.structured_output).toEqual({
      rules: [expect.objectContaining({ rule: 'Run the build — always' })]
    })
    expect(result?.type === 'result' && result.usage?.input_tokens).toBeGreaterThan(0)
    const start = messages.find((m) => m.type === 'stream_event' && m.event.type === 'message_start')
    expect(start?.type === 'stream_event' && start.event.type === 'message_start' && start.event.message.model).toBe('claude-sonnet-4-5')
    expect(
      messages.some((m) => m.type === 'stream_event' && m.event.type === 'content_block_delta' && m.event.delta.type === 'input_json_delta')
    ).toBe(true)
  })

  it('reads the same messages whatever the chunks: one byte at a time splits every multi-byte character', () => {
    for (const s of Object.values(streams)) {
      const whole = read(s.stdout)
      const bytes = read(s.stdout, 1)
      expect(bytes.messages).toEqual(whole.messages)
      expect(bytes.stats).toEqual(whole.stats)
    }
  })

  it('the live progress of a run from typed messages is what it was from lines', () => {
    for (const s of [streams.subagent, streams['tool-errors']]) {
      const byLine = new StreamTracker()
      for (const l of s.stdout.split('\n')) byLine.line(l)
      const typed = new StreamTracker()
      read(s.stdout).messages.forEach((m) => typed.message(m))
      expect(typed.progress).toEqual(byLine.progress)
      expect(typed.result).toEqual(byLine.result)
      expect(typed.progress.turns).toBeGreaterThan(0)
      expect(typed.result?.costUsd).toBeGreaterThan(0)
    }
  })

  it("reads a stream as an async iterable too (a saved stream.jsonl, a child's stdout)", async () => {
    const stats: StreamStats = { lines: 0, messages: 0, ignored: 0, malformed: 0 }
    const out: string[] = []
    for await (const m of readMessages(Readable.from([Buffer.from(streams['tool-errors'].stdout)]), stats)) out.push(m.type)
    expect(out).toEqual(read(streams['tool-errors'].stdout).messages.map((m) => m.type))
    expect(stats).toEqual(read(streams['tool-errors'].stdout).stats)
  })
})

describe('what the reader does with lines it does not know', () => {
  it('ignores unknown message types, system subtypes and stream events; counts malformed lines; keeps going', () => {
    const lines = [
      '{"type":"system","subtype":"init","session_id":"s1"}',
      '{"type":"rate_limit_event","rate_limit_info":{}}',
      '{"type":"system","subtype":"hook_started","hook_name":"x"}',
      '{"type":"stream_event","event":{"type":"ping"},"parent_tool_use_id":null}',
      'not json at all',
      '[1,2,3]',
      '{"no":"type"}',
      '{"type":"result"}', // a result without its subtype
      '{"type":"assistant","message":"not an object"}',
      '',
      '   ',
      '{"type":"assistant","parent_tool_use_id":null,"message":{"id":"m1","model":"claude-sonnet-4-5","content":[{"type":"text","text":"hi"},null,42,{"type":"tool_use","id":"t1","name":"Bash","input":{}}],"usage":{"input_tokens":"lots","output_tokens":3}}}',
      '{"type":"result","subtype":"success","is_error":false,"result":"ok","total_cost_usd":"free","num_turns":1}'
    ]
    const { messages, stats } = read(lines.join('\n'))
    expect(stats).toEqual({ lines: 11, messages: 3, ignored: 3, malformed: 5 })
    expect(messages.map((m) => m.type)).toEqual(['system', 'assistant', 'result'])
    const a = messages[1]
    // a block that is not an object is dropped, a field of the wrong type reads as absent
    expect(a.type === 'assistant' && a.message.content.map((b) => b.type)).toEqual(['text', 'tool_use'])
    expect(a.type === 'assistant' && a.message.usage).toMatchObject({ input_tokens: undefined, output_tokens: 3 })
    const r = messages[2]
    expect(r.type === 'result' && [r.result, r.total_cost_usd]).toEqual(['ok', undefined])
  })

  it('parses one line on its own', () => {
    expect(parseLine('{"type":"user","message":{"content":"hello"},"parent_tool_use_id":null}')).toMatchObject({
      kind: 'message',
      message: { type: 'user', message: { content: 'hello' } }
    })
    expect(parseLine('{"type":"tool_progress"}')).toEqual({ kind: 'ignored', type: 'tool_progress' })
    expect(
      parseLine('{"type":"system","subtype":"api_retry","attempt":2,"error_status":401,"error":"authentication_failed"}')
    ).toMatchObject({ kind: 'message', message: { subtype: 'api_retry', attempt: 2, error_status: 401 } })
    expect(parseLine('{"type":')).toMatchObject({ kind: 'malformed' })
    expect(parseLine('')).toEqual({ kind: 'blank' })
  })

  it('a last line without a newline is read at the end', () => {
    const { messages } = read('{"type":"system","subtype":"init","session_id":"s"}\n{"type":"result","subtype":"success"}')
    expect(messages.map((m) => m.type)).toEqual(['system', 'result'])
  })
})
