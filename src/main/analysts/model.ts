/**
 * How analysts reach a model: one port, two implementations. The Anthropic API through
 * @anthropic-ai/sdk (streaming, a forced tool call, the shared context marked for prompt caching), or
 * the user's own Claude Code login through `claude -p --json-schema`. Electron-free.
 */
import Anthropic from '@anthropic-ai/sdk'
import type { ErrorCode } from '../../shared/contract'
import type { Usage } from '../../shared/trace'
import { startProcess } from '../claude/process'
import { StreamReader, toolResultText, usageNumbers, type ResultMessage } from '../claude/stream'

export interface ToolDef {
  name: string
  description: string
  input_schema: { type: 'object'; properties: Record<string, unknown>; required?: string[] }
}

export interface ModelCall {
  model: string
  /** identical for every analyst: the cacheable prefix (system) */
  system: string
  /** identical for every analyst: the cacheable prefix (task, feedback, condensed traces) */
  shared: string
  /** this analyst's own instructions, after the cache breakpoint */
  instructions: string
  tool: ToolDef
  maxTokens: number
}

export interface CallHooks {
  /** the response has begun (the first byte of a successful answer) */
  onBegin?(): void
  /** usage so far */
  onUsage?(u: Usage): void
  /** the tool input's JSON so far, while it streams (incomplete until the answer ends) */
  onPartial?(json: string): void
}

export interface ModelPort {
  readonly kind: 'api' | 'claude-cli'
  call(req: ModelCall, hooks: CallHooks, signal: AbortSignal): Promise<{ input: unknown; usage: Usage; model: string }>
}

/** The Anthropic API. Retries overloads and rate limits itself (the SDK's backoff). */
export function apiModel(access: { apiKey: string; baseURL?: string; maxRetries?: number; timeoutMs?: number }): ModelPort {
  const client = new Anthropic({
    apiKey: access.apiKey,
    baseURL: access.baseURL,
    maxRetries: access.maxRetries ?? 3,
    timeout: access.timeoutMs ?? 10 * 60_000
  })
  return {
    kind: 'api',
    async call(req, hooks, signal) {
      const usage: Usage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }
      let outChars = 0
      let partial = ''
      const stream = client.messages.stream(
        {
          model: req.model,
          max_tokens: req.maxTokens,
          // tools, system and the first user block form the prefix every analyst shares; the marker
          // on its last block caches all of it
          tools: [req.tool as Anthropic.Tool],
          tool_choice: { type: 'tool', name: req.tool.name },
          system: [{ type: 'text', text: req.system }],
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: req.shared, cache_control: { type: 'ephemeral' } },
                { type: 'text', text: req.instructions }
              ]
            }
          ]
        },
        { signal }
      )
      stream.on('streamEvent', (event) => {
        if (event.type === 'message_start') {
          const u = event.message.usage
          usage.input = u.input_tokens ?? 0
          usage.cacheRead = u.cache_read_input_tokens ?? 0
          usage.cacheCreation = u.cache_creation_input_tokens ?? 0
          usage.output = u.output_tokens ?? 0
          hooks.onBegin?.()
          hooks.onUsage?.({ ...usage })
        } else if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
          outChars += event.delta.partial_json.length
          partial += event.delta.partial_json
          // an estimate while streaming; the real count arrives with message_delta
          hooks.onUsage?.({ ...usage, output: Math.max(usage.output, Math.round(outChars / 4)) })
          hooks.onPartial?.(partial)
        } else if (event.type === 'message_delta') {
          usage.output = event.usage.output_tokens ?? usage.output
          hooks.onUsage?.({ ...usage })
        }
      })
      const message = await stream.finalMessage()
      const block = message.content.find((b) => b.type === 'tool_use' && b.name === req.tool.name)
      if (!block || block.type !== 'tool_use')
        throw Object.assign(new Error(`bad answer: the model did not call ${req.tool.name}`), { code: 'bad-answer' })
      return { input: block.input, usage, model: message.model }
    }
  }
}

/**
 * The user's own Claude Code login: `claude -p` with a JSON schema for the answer, the prompt on
 * stdin, no tools. For people with a subscription and no API key.
 *
 * On the wire, `--json-schema` offers the model one tool, `StructuredOutput`, whose input_schema is
 * the schema; claude checks the call against it (a mismatch goes back to the model as an error
 * tool_result, another turn) and prints the accepted input as `structured_output` in its result.
 * The output is stream-json so the answer's first byte (onBegin) and usage arrive while it runs,
 * and a schema mismatch can be named. No session file is written: these calls are not runs.
 */
export function claudeCliModel(opts: {
  claudePath?: string
  env?: NodeJS.ProcessEnv
  cwd?: string
  timeoutMs?: number
  maxTurns?: number
}): ModelPort {
  const bin = opts.claudePath || 'claude'
  // one line; a code only from the contract's closed set (none: the dispatcher calls it internal)
  const fail = (message: string, code?: ErrorCode) => Object.assign(new Error(message.replace(/\s+/g, ' ').trim()), code ? { code } : {})
  const firstLine = (s: string) => s.trim().split('\n').filter(Boolean)[0]?.trim().slice(0, 300) ?? ''
  return {
    kind: 'claude-cli',
    call(req, hooks, signal) {
      return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }))
        const maxTurns = opts.maxTurns ?? 3
        const args = [
          '-p',
          '--output-format',
          'stream-json',
          '--verbose',
          '--include-partial-messages',
          '--json-schema',
          JSON.stringify(req.tool.input_schema),
          '--model',
          req.model,
          '--tools',
          '',
          '--max-turns',
          String(maxTurns),
          '--no-session-persistence',
          '--strict-mcp-config',
          '--disable-slash-commands',
          '--append-system-prompt',
          req.system
        ]
        // output arrives on a later tick, by which time the reader below is in place
        let onOut = (_c: Buffer) => {}
        let err = ''
        const proc = startProcess(bin, args, {
          cwd: opts.cwd,
          env: opts.env ?? process.env,
          stdin: 'pipe',
          onStdout: (c) => onOut(c),
          onStderr: (c) => (err = (err + c.toString('utf8')).slice(-4000))
        })
        let timedOut = false
        const timeoutMs = opts.timeoutMs ?? 15 * 60_000
        const timer = setTimeout(() => ((timedOut = true), void proc.end()), timeoutMs)
        const onAbort = () => void proc.end()
        signal.addEventListener('abort', onAbort, { once: true })

        // usage: the finished turns plus the one streaming now; claude's result has the totals
        const done: Usage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }
        let turn: Usage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }
        let outChars = 0
        /** the StructuredOutput call's JSON so far in this turn (a turn claude rejects starts over) */
        let partial = ''
        const total = (t = turn): Usage => ({
          input: done.input + t.input,
          output: done.output + t.output,
          cacheRead: done.cacheRead + t.cacheRead,
          cacheCreation: done.cacheCreation + t.cacheCreation
        })
        let begun = false
        let model = req.model
        let result: ResultMessage | null = null
        let schemaError = ''
        let refused = ''
        const reader = new StreamReader((m) => {
          if (m.type === 'stream_event' && !m.parent_tool_use_id) {
            const e = m.event
            if (e.type === 'message_start') {
              for (const k of Object.keys(done) as (keyof Usage)[]) done[k] += turn[k]
              turn = usageNumbers(e.message.usage)
              outChars = 0
              partial = ''
              if (e.message.model) model = e.message.model
              if (!begun) {
                begun = true
                hooks.onBegin?.()
              }
              hooks.onUsage?.(total())
            } else if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta') {
              outChars += (e.delta.partial_json ?? '').length
              partial += e.delta.partial_json ?? ''
              hooks.onUsage?.(total({ ...turn, output: Math.max(turn.output, Math.round(outChars / 4)) }))
              hooks.onPartial?.(partial)
            } else if (e.type === 'message_delta') {
              turn.output = e.usage?.output_tokens ?? turn.output
              hooks.onUsage?.(total())
            }
          } else if (m.type === 'user' && Array.isArray(m.message.content)) {
            // claude's own check of the StructuredOutput call against the schema
            for (const c of m.message.content) {
              const text = toolResultText(c.content)
              if (c.type === 'tool_result' && c.is_error && /does not match required schema/i.test(text))
                schemaError = firstLine(text.replace(/^.*?does not match required schema:\s*/i, ''))
            }
          } else if (
            m.type === 'system' &&
            m.subtype === 'api_retry' &&
            (m.error_status === 401 || m.error_status === 403) &&
            m.attempt >= 2
          ) {
            // claude retries a refused login ten times over minutes; once is enough to know
            if (!refused) {
              refused = `the Claude Code login was refused (${m.error_status}${m.error ? ` ${m.error}` : ''}): run \`claude\` and /login, then try again`
              void proc.end()
            }
          } else if (m.type === 'result') {
            result = m
          }
        })
        onOut = (c) => reader.push(c)
        // claude can exit before reading its prompt (a bad flag, no login): that is reported on exit
        proc.stdin?.on('error', () => {})
        proc.stdin?.end(`${req.shared}\n\n${req.instructions}`)
        void proc.exited
          .then(({ code, signal: sig, error }) => {
            clearTimeout(timer)
            signal.removeEventListener('abort', onAbort)
            reader.end()
            const settle = (e: Error | null, value?: { input: unknown; usage: Usage; model: string }) => (e ? reject(e) : resolve(value!))
            if (error) {
              if (error.code === 'ENOENT')
                return settle(
                  fail(
                    `Claude Code was not found at \`${bin}\`: install it (npm i -g @anthropic-ai/claude-code) or set its path`,
                    'claude-missing'
                  )
                )
              if (error.code === 'EACCES')
                return settle(fail(`Claude Code at \`${bin}\` cannot be run (permission denied)`, 'claude-missing'))
              return settle(fail(`could not start \`${bin}\`: ${error.message}`))
            }
            if (signal.aborted) return settle(Object.assign(new Error('cancelled'), { name: 'AbortError' }))
            if (refused) return settle(fail(refused, 'claude-login'))
            if (timedOut) return settle(fail(`claude -p took longer than ${Math.round(timeoutMs / 1000)}s and was stopped`))
            const r = result as ResultMessage | null
            if (!r) {
              const why = firstLine(
                err
                  .split('\n')
                  .reverse()
                  .find((l) => l.trim()) ?? ''
              )
              return settle(
                fail(`claude -p ${sig ? `was killed (${sig})` : `exited with code ${code}`} without a result${why ? `: ${why}` : ''}`)
              )
            }
            const usage = usageNumbers(r.usage)
            const final = usage.input + usage.output + usage.cacheRead + usage.cacheCreation > 0 ? usage : total()
            hooks.onUsage?.(final)
            if (r.structured_output !== undefined && r.structured_output !== null && !r.is_error)
              return settle(null, { input: r.structured_output, usage: final, model })
            if (schemaError) return settle(fail(`bad answer: it does not fit the schema (${schemaError})`, 'bad-answer'))
            if (r.is_error || code !== 0) {
              if (r.subtype === 'error_max_turns')
                return settle(fail(`bad answer: claude -p reached its turn limit (${maxTurns}) without a structured answer`, 'bad-answer'))
              const why = firstLine(
                r.result ? r.result : r.errors?.length ? r.errors.map(String).join('; ') : (r.subtype ?? `exit ${code}`)
              )
              return settle(fail(`claude -p failed: ${why}`))
            }
            // no structured output: older versions put the JSON in \`result\`
            if (typeof r.result === 'string') {
              try {
                const input = JSON.parse(r.result)
                if (input && typeof input === 'object') return settle(null, { input, usage: final, model })
              } catch {
                /* text, reported below */
              }
            }
            settle(
              fail(
                `bad answer: claude -p returned no structured output${r.result?.trim() ? ` (it answered: "${firstLine(r.result).slice(0, 120)}")` : ''}`,
                'bad-answer'
              )
            )
          })
          .catch(reject)
      })
    }
  }
}
