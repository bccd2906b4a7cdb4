/**
 * How analysts reach a model: one port, two implementations. The Anthropic API through
 * @anthropic-ai/sdk (streaming, a forced tool call, the shared context marked for prompt caching), or
 * the user's own Claude Code login through `claude -p --json-schema`. Electron-free.
 */
import Anthropic from '@anthropic-ai/sdk'
import { spawn } from 'node:child_process'
import type { Usage } from '../../shared/trace'
import { killTree } from '../runs/claude'

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
}

export interface ModelPort {
  readonly kind: 'api' | 'claude-cli'
  call(req: ModelCall, hooks: CallHooks, signal: AbortSignal): Promise<{ input: unknown; usage: Usage; model: string }>
}

/** The Anthropic API. Retries overloads and rate limits itself (the SDK's backoff). */
export function apiModel(access: { apiKey: string; baseURL?: string; maxRetries?: number; timeoutMs?: number }): ModelPort {
  const client = new Anthropic({ apiKey: access.apiKey, baseURL: access.baseURL, maxRetries: access.maxRetries ?? 3, timeout: access.timeoutMs ?? 10 * 60_000 })
  return {
    kind: 'api',
    async call(req, hooks, signal) {
      const usage: Usage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }
      let outChars = 0
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
          // an estimate while streaming; the real count arrives with message_delta
          hooks.onUsage?.({ ...usage, output: Math.max(usage.output, Math.round(outChars / 4)) })
        } else if (event.type === 'message_delta') {
          usage.output = event.usage.output_tokens ?? usage.output
          hooks.onUsage?.({ ...usage })
        }
      })
      const message = await stream.finalMessage()
      const block = message.content.find((b) => b.type === 'tool_use' && b.name === req.tool.name)
      if (!block || block.type !== 'tool_use') throw Object.assign(new Error(`bad answer: the model did not call ${req.tool.name}`), { code: 'bad-answer' })
      return { input: block.input, usage, model: message.model }
    }
  }
}

/**
 * The user's own Claude Code login: `claude -p` with a JSON schema for the answer, the prompt on
 * stdin, no tools. For people with a subscription and no API key.
 */
export function claudeCliModel(opts: { claudePath?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): ModelPort {
  return {
    kind: 'claude-cli',
    call(req, hooks, signal) {
      return new Promise((resolve, reject) => {
        const args = ['-p', '--output-format', 'json', '--json-schema', JSON.stringify(req.tool.input_schema), '--model', req.model, '--tools', '', '--max-turns', '3', '--append-system-prompt', req.system]
        const child = spawn(opts.claudePath || 'claude', args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true })
        let out = ''
        let err = ''
        let begun = false
        const timer = setTimeout(() => void killTree(child), opts.timeoutMs ?? 15 * 60_000)
        const onAbort = () => void killTree(child)
        signal.addEventListener('abort', onAbort, { once: true })
        child.stdout.on('data', (c: Buffer) => {
          if (!begun) (begun = true), hooks.onBegin?.()
          out += c.toString('utf8')
        })
        child.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-4000)))
        child.on('error', (e) => reject(new Error((e as NodeJS.ErrnoException).code === 'ENOENT' ? `\`${opts.claudePath || 'claude'}\` was not found` : e.message)))
        child.on('close', (code) => {
          clearTimeout(timer)
          signal.removeEventListener('abort', onAbort)
          if (signal.aborted) return reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }))
          let parsed: Record<string, unknown> | null = null
          try {
            parsed = JSON.parse(out.trim().split('\n').pop() ?? '')
          } catch {
            /* reported below */
          }
          if (!parsed) return reject(new Error(`claude -p gave no JSON result (exit ${code})${err ? `: ${err.trim().split('\n').pop()}` : ''}`))
          const u = (parsed.usage ?? {}) as Record<string, number>
          const usage: Usage = { input: u.input_tokens ?? 0, output: u.output_tokens ?? 0, cacheRead: u.cache_read_input_tokens ?? 0, cacheCreation: u.cache_creation_input_tokens ?? 0 }
          hooks.onUsage?.(usage)
          if (parsed.is_error) return reject(new Error(`claude -p failed: ${String(parsed.result ?? parsed.subtype ?? 'error')}`))
          let input = parsed.structured_output
          if (input === undefined && typeof parsed.result === 'string') {
            try {
              input = JSON.parse(parsed.result)
            } catch {
              return reject(Object.assign(new Error('bad answer: claude -p returned text, not the JSON asked for'), { code: 'bad-answer' }))
            }
          }
          resolve({ input, usage, model: req.model })
        })
        child.stdin.end(`${req.shared}\n\n${req.instructions}`)
      })
    }
  }
}
