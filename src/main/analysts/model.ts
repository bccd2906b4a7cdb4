/**
 * How analysts reach a model: one port, two implementations. The Anthropic API through
 * @anthropic-ai/sdk (streaming, a forced tool call, the shared context marked for prompt caching), or
 * the user's own Claude Code login through `claude -p --json-schema`. Electron-free.
 */
import Anthropic from '@anthropic-ai/sdk'
import type { ToolInputSchema } from '../../shared/tool-schema'
import type { Usage } from '../../shared/trace'
import { costUsd } from '../traces/pricing'

export interface ToolDef {
  name: string
  description: string
  input_schema: ToolInputSchema
}

/** A block of a prompt: text, or a PNG image (base64) with one line saying what it shows. */
export type PromptBlock = { type: 'text'; text: string } | { type: 'image'; mediaType: 'image/png'; data: string; label: string }

/** What a drill-down call returns to the model: text and images, or a clear error (never a crash). */
export interface ToolOutcome {
  content: PromptBlock[]
  isError?: boolean
}

/**
 * Drill-down for the API path: tools an analyst may call to look closer before it answers, in at most
 * `maxRounds` rounds. `run` never throws for bad input (a run, line or file that does not exist): it
 * returns an error outcome the model can read.
 */
export interface DrillDown {
  tools: ToolDef[]
  maxRounds: number
  run(name: string, input: unknown, signal: AbortSignal): Promise<ToolOutcome>
  /** one line for the live view: what a call looks at ("Run 7's trace, lines 120-180") */
  describe(name: string, input: unknown): string
}

/** The prepared read-only evidence folder a `claude -p` analyst reads with Read, Grep and Glob (its working directory). */
export interface EvidenceFolder {
  path: string
  /** tool rounds allowed before the answer (claude's --max-turns is this plus room for the answer) */
  maxRounds: number
  /** run under Claude Code's sandbox (where it is available) */
  sandbox?: boolean
}

export interface ModelCall {
  model: string
  /** identical for every analyst: the cacheable prefix (system) */
  system: string
  /** identical for every analyst: the cacheable prefix (task, feedback, traces, outputs, screenshots) */
  shared: PromptBlock[]
  /** this analyst's own instructions, after the cache breakpoint */
  instructions: string
  tool: ToolDef
  maxTokens: number
  /** the API path: tools to look closer before answering */
  drill?: DrillDown
  /** the claude -p path: the evidence folder to look closer in */
  folder?: EvidenceFolder
}

export interface CallHooks {
  /** the response has begun (the first byte of a successful answer) */
  onBegin?(): void
  /** usage so far, and its cost when the port prices each request itself */
  onUsage?(u: Usage, costUsd?: number): void
  /** the tool input's JSON so far, while it streams (incomplete until the answer ends) */
  onPartial?(json: string): void
  /** the analyst looks closer: what at, and in which round (1-based) */
  onLook?(what: string, round: number): void
}

export interface CallResult {
  input: unknown
  usage: Usage
  model: string
  /** drill-down rounds used */
  rounds: number
  /** the cost, each request priced on its own (absent: price the usage) */
  costUsd?: number
}

/** The text of text blocks, joined (for a port that takes text only, and for estimates). */
export const blocksText = (blocks: PromptBlock[]): string =>
  blocks
    .filter((b): b is Extract<PromptBlock, { type: 'text' }> => b.type === 'text')
    .map((b) => b.text)
    .join('\n\n')

export interface ModelPort {
  readonly kind: 'api' | 'claude-cli'
  call(req: ModelCall, hooks: CallHooks, signal: AbortSignal): Promise<CallResult>
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
      // Every request of the conversation starts with the same prefix: tools, system, and the shared
      // blocks of the first user message, whose last block carries the cache marker. Drill-down
      // rounds add the model's calls and their results after it; a second marker moves to the newest
      // result, so each round reads the one before from the cache too. tool_choice stays the same
      // across rounds (changing it would spoil the cached messages).
      const drill = req.drill
      const tools = [req.tool, ...(drill?.tools ?? [])] as Anthropic.Tool[]
      const first: Anthropic.ContentBlockParam[] = [...apiBlocks(req.shared, true), { type: 'text', text: req.instructions }]
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: first }]
      const done: Usage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }
      let doneCost = 0
      let rounds = 0
      let nudged = false
      let begun = false
      for (;;) {
        const usage: Usage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }
        const total = (u: Usage): Usage => ({
          input: done.input + u.input,
          output: done.output + u.output,
          cacheRead: done.cacheRead + u.cacheRead,
          cacheCreation: done.cacheCreation + u.cacheCreation
        })
        const report = (u: Usage) => hooks.onUsage?.(total(u), doneCost + costUsd(req.model, u))
        let outChars = 0
        let partial = ''
        let answerIndex = -1
        const stream = client.messages.stream(
          {
            model: req.model,
            max_tokens: req.maxTokens,
            tools,
            tool_choice: drill ? { type: 'any' } : { type: 'tool', name: req.tool.name },
            system: [{ type: 'text', text: req.system }],
            messages
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
            if (!begun) {
              begun = true
              hooks.onBegin?.()
            }
            report(usage)
          } else if (event.type === 'content_block_start') {
            if (event.content_block.type === 'tool_use' && event.content_block.name === req.tool.name) answerIndex = event.index
          } else if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
            outChars += event.delta.partial_json.length
            // an estimate while streaming; the real count arrives with message_delta
            report({ ...usage, output: Math.max(usage.output, Math.round(outChars / 4)) })
            if (event.index === answerIndex) {
              partial += event.delta.partial_json
              hooks.onPartial?.(partial)
            }
          } else if (event.type === 'message_delta') {
            usage.output = event.usage.output_tokens ?? usage.output
            report(usage)
          }
        })
        const message = await stream.finalMessage()
        for (const k of Object.keys(done) as (keyof Usage)[]) done[k] += usage[k]
        doneCost += costUsd(req.model, usage)
        const answer = message.content.find((b) => b.type === 'tool_use' && b.name === req.tool.name)
        if (answer && answer.type === 'tool_use')
          return { input: answer.input, usage: { ...done }, model: message.model, rounds, costUsd: doneCost }
        const calls = message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')
        if (!drill || !calls.length || (rounds >= drill.maxRounds && nudged))
          throw Object.assign(
            new Error(
              `bad answer: the model did not call ${req.tool.name}${drill && calls.length ? ` after ${rounds} rounds of looking closer` : ''}`
            ),
            { code: 'bad-answer' }
          )
        // one more round of looking closer, or (once the rounds are used up) a last call to answer
        const over = rounds >= drill.maxRounds
        if (over) nudged = true
        else rounds++
        const results: Anthropic.ToolResultBlockParam[] = []
        for (const c of calls) {
          signal.throwIfAborted()
          if (over) {
            results.push({
              type: 'tool_result',
              tool_use_id: c.id,
              is_error: true,
              content: `No rounds left (${drill.maxRounds} used): answer now by calling ${req.tool.name} with what you have.`
            })
            continue
          }
          hooks.onLook?.(drill.describe(c.name, c.input), rounds)
          const out = await drill.run(c.name, c.input, signal)
          results.push({
            type: 'tool_result',
            tool_use_id: c.id,
            ...(out.isError ? { is_error: true } : {}),
            content: apiBlocks(out.content, false) as Anthropic.ToolResultBlockParam['content']
          })
        }
        // the moving cache marker: only on the newest results (the API takes four markers at most)
        for (const m of messages.slice(1))
          if (Array.isArray(m.content)) for (const b of m.content) delete (b as { cache_control?: unknown }).cache_control
        const last = results[results.length - 1]
        if (last) last.cache_control = { type: 'ephemeral' }
        messages.push({ role: 'assistant', content: message.content as Anthropic.ContentBlockParam[] }, { role: 'user', content: results })
      }
    }
  }
}

/** Prompt blocks as the Messages API takes them; `cache` marks the last one as the end of the cached prefix. */
function apiBlocks(blocks: PromptBlock[], cache: boolean): (Anthropic.TextBlockParam | Anthropic.ImageBlockParam)[] {
  // an image follows its label, one line saying what it shows (as on the claude -p path)
  const out: (Anthropic.TextBlockParam | Anthropic.ImageBlockParam)[] = blocks.flatMap(
    (b): (Anthropic.TextBlockParam | Anthropic.ImageBlockParam)[] =>
      b.type === 'text'
        ? [{ type: 'text', text: b.text }]
        : [
            ...(b.label ? [{ type: 'text' as const, text: b.label }] : []),
            { type: 'image', source: { type: 'base64', media_type: b.mediaType, data: b.data } }
          ]
  )
  if (cache && out.length) out[out.length - 1] = { ...out[out.length - 1], cache_control: { type: 'ephemeral' } }
  return out
}

export { claudeCliModel } from './claude-model'
