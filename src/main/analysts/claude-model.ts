/**
 * The analysts' model through the user's own Claude Code login (`claude -p`). Electron-free.
 */
import { statSync } from 'node:fs'
import { isAbsolute, relative, resolve as resolvePath, sep } from 'node:path'
import { fail, type ErrorCode } from '../../shared/contract'
import type { Usage } from '../../shared/trace'
import { startProcess } from '../base/processes'
import { StreamReader, toolResultText, usageNumbers, type ResultMessage } from '../agents/claude-code/stream'
import type { CallResult, EvidenceFolder, ModelCall, ModelPort } from './model'

/** The tools a `claude -p` analyst may look closer with: read-only, over its evidence folder. */
export const LOOK_TOOLS = ['Read', 'Grep', 'Glob'] as const

/**
 * The first (and only) user message, as stream-json on stdin: the shared blocks (text, and each
 * screenshot as a line saying what it shows followed by the PNG) and then this analyst's
 * instructions. claude passes image blocks through to the API unchanged up to about 2000 px on the
 * long edge (larger ones it re-encodes as JPEG); the screenshots are prepared at 1568 px or less.
 */
export function promptMessage(req: Pick<ModelCall, 'shared' | 'instructions' | 'tool'>): string {
  const content: unknown[] = []
  for (const b of req.shared) {
    if (b.type === 'text') {
      if (b.text) content.push({ type: 'text', text: b.text })
    } else {
      if (b.label) content.push({ type: 'text', text: b.label })
      content.push({ type: 'image', source: { type: 'base64', media_type: b.mediaType, data: b.data } })
    }
  }
  // the prompts name the API's answer tool; here claude offers it as StructuredOutput
  content.push({
    type: 'text',
    text: `${req.instructions}\n\n(Here the tool to answer with is StructuredOutput: call it with what ${req.tool.name} takes.)`
  })
  return `${JSON.stringify({ type: 'user', message: { role: 'user', content } })}\n`
}

/**
 * The flags that give an analyst its evidence folder, read-only and nothing outside it (checked
 * against the real 2.1.330 in test/analysts/claude-folder.test.ts):
 * - `--tools Read,Grep,Glob`: the only tools besides StructuredOutput. Not `--allowedTools`: an allow
 *   rule for Read lets it read anywhere, /etc included.
 * - `--restricted`: confines the file tools to the working directory, symlinks resolved, whatever allow
 *   rules a settings file holds; it also skips the user's, project's and local settings files.
 * - `--permission-mode dontAsk`: anything that would ask is refused at once (nobody is there to answer).
 * - the sandbox (`--settings`), where Claude Code has one: it confines the commands claude runs; the file
 *   tools are held by the two flags above.
 */
export function folderArgs(folder: EvidenceFolder): string[] {
  return [
    '--tools',
    LOOK_TOOLS.join(','),
    '--restricted',
    '--permission-mode',
    'dontAsk',
    ...(folder.sandbox ? ['--settings', JSON.stringify({ sandbox: { enabled: true } })] : [])
  ]
}

/** One line for the live view: what a Read, Grep or Glob call looks at, paths relative to the folder. */
export function describeLook(root: string, name: string, input: unknown): string {
  const o = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined)
  const num = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : undefined)
  const rel = (p: string | undefined): string => {
    if (!p) return './'
    const abs = resolvePath(root, p)
    const r = relative(root, abs)
    if (r.startsWith('..') || isAbsolute(r)) return p
    let shown = r.split(sep).join('/')
    if (!shown) return './'
    try {
      if (statSync(abs).isDirectory()) shown += '/'
    } catch {
      /* not there: shown as given */
    }
    return shown
  }
  let line: string
  if (name === 'Read') {
    const offset = num('offset')
    const limit = num('limit')
    const range = offset || limit ? ` lines ${offset ?? 1}-${limit ? (offset ?? 1) + limit - 1 : 'end'}` : ''
    line = `Read ${rel(str('file_path'))}${range}`
  } else if (name === 'Grep') {
    const glob = str('glob') ?? str('type')
    line = `Grep ${JSON.stringify(str('pattern') ?? '')} in ${rel(str('path'))}${glob ? ` (${glob})` : ''}`
  } else if (name === 'Glob') {
    const path = str('path')
    line = `Glob ${JSON.stringify(str('pattern') ?? '')}${path ? ` in ${rel(path)}` : ''}`
  } else line = name
  return line.replace(/\s+/g, ' ').slice(0, 200)
}

/**
 * The user's own Claude Code login: `claude -p` with a JSON schema for the answer, the prompt on
 * stdin (stream-json: text and screenshots). For people with a subscription and no API key.
 *
 * Without a folder it has no tools. With `req.folder` the folder is its working directory and it may
 * look closer with Read, Grep and Glob there and nowhere else (folderArgs), for `maxRounds` rounds
 * plus room for the answer; each call is reported through onLook, and `rounds` counts the turns that
 * looked.
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
  // an AppError in one line: 'claude-missing' when claude cannot be run, 'claude-login' when refused,
  // 'bad-answer' when it answered beside the schema, else 'internal' (a timeout, a crash, a failure it reported)
  const failed = (message: string, code: ErrorCode, cause?: unknown) => fail(message.replace(/\s+/g, ' ').trim(), code, cause)
  const firstLine = (s: string) => s.trim().split('\n').filter(Boolean)[0]?.trim().slice(0, 300) ?? ''
  return {
    kind: 'claude-cli',
    call(req, hooks, signal) {
      return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason)
        const folder = req.folder
        const root = folder ? resolvePath(folder.path) : undefined
        // the answer may take a few tries (claude returns a schema mismatch to the model)
        const answerTurns = opts.maxTurns ?? 3
        const maxTurns = folder ? Math.max(0, folder.maxRounds) + answerTurns : answerTurns
        const args = [
          '-p',
          '--input-format',
          'stream-json',
          '--output-format',
          'stream-json',
          '--verbose',
          '--include-partial-messages',
          '--json-schema',
          JSON.stringify(req.tool.input_schema),
          '--model',
          req.model,
          ...(folder ? folderArgs(folder) : ['--tools', '']),
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
          cwd: root ?? opts.cwd,
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
        /** the assistant turns that looked closer (their message ids), in order */
        const lookTurns: string[] = []
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
          } else if (m.type === 'assistant' && !m.parent_tool_use_id && root) {
            // claude prints a turn's blocks one message each, under the turn's message id
            for (const b of m.message.content) {
              if (b.type !== 'tool_use' || !(LOOK_TOOLS as readonly string[]).includes(b.name ?? '')) continue
              const turnId = m.message.id ?? `turn-${lookTurns.length + 1}`
              if (lookTurns[lookTurns.length - 1] !== turnId) lookTurns.push(turnId)
              hooks.onLook?.(describeLook(root, b.name!, (b as { input?: unknown }).input), lookTurns.length)
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
        proc.stdin?.end(promptMessage(req))
        void proc.exited
          .then(({ code, signal: sig, error }) => {
            clearTimeout(timer)
            signal.removeEventListener('abort', onAbort)
            reader.end()
            const settle = (e: Error | null, value?: Omit<CallResult, 'rounds'>) =>
              e ? reject(e) : resolve({ ...value!, rounds: lookTurns.length })
            if (error) {
              if (error.code === 'ENOENT')
                return settle(
                  failed(
                    `Claude Code was not found at \`${bin}\`: install it (npm i -g @anthropic-ai/claude-code) or set its path`,
                    'claude-missing',
                    error
                  )
                )
              if (error.code === 'EACCES')
                return settle(failed(`Claude Code at \`${bin}\` cannot be run (permission denied)`, 'claude-missing', error))
              return settle(failed(`could not start \`${bin}\`: ${error.message}`, 'claude-missing', error))
            }
            if (signal.aborted) return settle(signal.reason)
            if (refused) return settle(failed(refused, 'claude-login'))
            if (timedOut) return settle(failed(`claude -p took longer than ${Math.round(timeoutMs / 1000)}s and was stopped`, 'internal'))
            const r = result as ResultMessage | null
            if (!r) {
              const why = firstLine(
                err
                  .split('\n')
                  .reverse()
                  .find((l) => l.trim()) ?? ''
              )
              // an older claude cannot keep the analyst inside its folder: say what to do
              if (folder && /unknown option '--restricted'/.test(err))
                return settle(
                  failed(
                    `this Claude Code is too old to read the evidence folder safely (${why}): update it (claude update), or analyse without looking closer`,
                    'claude-missing'
                  )
                )
              return settle(
                failed(
                  `claude -p ${sig ? `was killed (${sig})` : `exited with code ${code}`} without a result${why ? `: ${why}` : ''}`,
                  'internal'
                )
              )
            }
            const usage = usageNumbers(r.usage)
            const final = usage.input + usage.output + usage.cacheRead + usage.cacheCreation > 0 ? usage : total()
            hooks.onUsage?.(final)
            if (r.structured_output !== undefined && r.structured_output !== null && !r.is_error)
              return settle(null, { input: r.structured_output, usage: final, model })
            if (schemaError) return settle(failed(`bad answer: it does not fit the schema (${schemaError})`, 'bad-answer'))
            if (r.is_error || code !== 0) {
              if (r.subtype === 'error_max_turns')
                return settle(
                  failed(
                    `bad answer: claude -p reached its turn limit (${maxTurns}${folder ? `: ${folder.maxRounds} rounds of looking closer and ${answerTurns} to answer` : ''}) without a structured answer`,
                    'bad-answer'
                  )
                )
              const why = firstLine(
                r.result ? r.result : r.errors?.length ? r.errors.map(String).join('; ') : (r.subtype ?? `exit ${code}`)
              )
              return settle(failed(`claude -p failed: ${why}`, 'internal'))
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
              failed(
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
