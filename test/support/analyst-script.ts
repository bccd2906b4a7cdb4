/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * A scripted model for the analysts and the merge (used by tests, e2e and the benchmark): answers
 * `propose_rules` per analyst (named in the request's instructions) and `merge_rules` by grouping
 * rules with the same wording. Behaviours: an overload (529) before answering, a malformed answer.
 *
 * Requests from the real `claude -p --json-schema` (the claudeCliModel port) are answered too: claude
 * offers one tool, `StructuredOutput`, with the schema as its input_schema, and no tool_choice; the
 * analyst (or the merge) is named in the prompt text. The answer is a StructuredOutput call with the
 * same input. claude's side requests (titles and such) get plain text.
 */
import type { ProposedRule } from '../../src/shared/skills'
import type { Reply, Script } from './model-server'

type Kind = 'error' | 'success' | 'structure' | 'edge'
export type AnalystBehaviour = {
  rules: ProposedRule[]
  overloadFirst?: boolean
  malformed?: boolean
  chunkDelayMs?: number
  delayMs?: number
}

const ANALYST_RE = /You are the (error|success|structure|edge) analyst/

export const kindOf = (body: any): Kind | null => {
  const blocks = body?.messages?.[0]?.content
  const last = Array.isArray(blocks) ? blocks[blocks.length - 1]?.text : typeof blocks === 'string' ? blocks : ''
  // claude -p puts its own <system-reminder> blocks before the prompt; the prompt stays last, but
  // look through the first message's other text blocks too
  const m = ANALYST_RE.exec(String(last ?? '')) ?? ANALYST_RE.exec(firstMessageText(body))
  return m ? (m[1] as Kind) : null
}

/** All the text of the first (user) message. */
export const firstMessageText = (body: any): string => {
  const blocks = body?.messages?.[0]?.content
  return Array.isArray(blocks)
    ? blocks.map((c: { text?: unknown }) => (typeof c?.text === 'string' ? c.text : '')).join('\n')
    : typeof blocks === 'string'
      ? blocks
      : ''
}

/** The name of the tool claude -p offers for `--json-schema`. */
export const STRUCTURED_OUTPUT_TOOL = 'StructuredOutput'

/** Whether a request comes from `claude -p --json-schema`: its structured-output tool is offered. */
export const isClaudeStructured = (body: any): boolean =>
  Array.isArray(body?.tools) && body.tools.some((t: { name?: string }) => t?.name === STRUCTURED_OUTPUT_TOOL)

/** An analyst's request through the API: propose_rules is among its tools (drill-down tools beside it). */
export const isAnalystRequest = (body: any): boolean =>
  Array.isArray(body?.tools) && body.tools.some((t: { name?: string }) => t?.name === 'propose_rules')

const toolName = (body: any): string | undefined => body?.tool_choice?.name ?? body?.tools?.[0]?.name

/** What the request asks for: the tool to answer with, and which of the scripted tasks it is. */
function askOf(body: any): { task: 'propose_rules' | 'merge_rules' | 'check_support'; answerWith: string } | null {
  const tool = toolName(body)
  if (tool === 'propose_rules' || tool === 'merge_rules' || tool === 'check_support') return { task: tool, answerWith: tool }
  if (isClaudeStructured(body)) {
    // claude: the analyst or the merge is named in the prompt; anything else is a side request
    if (kindOf(body)) return { task: 'propose_rules', answerWith: STRUCTURED_OUTPUT_TOOL }
    if (/Answer only by calling merge_rules/.test(firstMessageText(body)))
      return { task: 'merge_rules', answerWith: STRUCTURED_OUTPUT_TOOL }
    if (/Answer only by calling check_support/.test(firstMessageText(body)))
      return { task: 'check_support', answerWith: STRUCTURED_OUTPUT_TOOL }
  }
  return null
}

/**
 * The support checker's verdict on one rule in one run: true confirms it, a string is why not (by
 * default every cited run is confirmed). The rule is its text as the merge worded it.
 */
export type CheckVerdict = (run: number, rule: string) => true | string

/** The scripted support checker: the rules it was asked about in this run, each with its verdict. */
export function checkAnswer(body: any, verdict: CheckVerdict = () => true) {
  const text = firstMessageText(body)
  const asked = /Check these rules against run (\d+): ([R\d, ]+)\./.exec(text)
  if (!asked) return null
  const run = Number(asked[1])
  const texts = new Map([...text.matchAll(/^(R\d+) \(runs [\d, ]+\): (.*)$/gm)].map(([, l, t]) => [l, t]))
  return {
    run,
    verdicts: asked[2]
      .split(',')
      .map((l) => l.trim())
      .map((l) => {
        const v = verdict(run, texts.get(l) ?? '')
        return v === true ? { rule: l, confirmed: true, reason: `run ${run} shows it` } : { rule: l, confirmed: false, reason: v }
      })
  }
}

export function analystScript(
  behaviour: Partial<Record<Kind, AnalystBehaviour>>,
  opts: {
    skillName?: string
    mergeDelayMs?: number
    check?: CheckVerdict
    checkDelayMs?: number
    /** the topics the merge names (none: an answer as before topics), and each group's topic by its wording */
    topics?: { name: string; title: string; when: string }[]
    topicOf?: (wording: string) => string | undefined
  } = {}
): Script {
  const seen = new Map<Kind, number>()
  return ({ body }) => {
    const ask = askOf(body)
    const tool = ask?.task
    if (tool === 'check_support') {
      const answer = checkAnswer(body, opts.check)
      if (!answer) return { error: { status: 400, type: 'invalid_request_error', message: 'scripted checker: no run named' } }
      return { delayMs: opts.checkDelayMs, toolUses: [{ name: ask!.answerWith, input: { verdicts: answer.verdicts } }] }
    }
    if (tool === 'propose_rules') {
      const kind = kindOf(body)
      if (!kind) return { error: { status: 400, type: 'invalid_request_error', message: 'scripted analysts: no analyst named' } }
      const b = behaviour[kind] ?? { rules: [] }
      const n = (seen.get(kind) ?? 0) + 1
      seen.set(kind, n)
      if (b.overloadFirst && n === 1) return { error: { status: 529, type: 'overloaded_error', message: 'Overloaded' } }
      const input = b.malformed ? { rules: [{ rule: 'Do things', evidence: 'all of them' }] } : { rules: b.rules }
      return { toolUses: [{ name: ask!.answerWith, input }], chunkDelayMs: b.chunkDelayMs, delayMs: b.delayMs } as Reply
    }
    if (tool === 'merge_rules') {
      // group ids whose rule text is the same (case and punctuation aside)
      const text = firstMessageText(body)
      const lines = [...text.matchAll(/^(\S+) \[(\w+)\] runs [\d, ]+: (.*)$/gm)]
      const groups = new Map<string, { members: string[]; wording: string; topic?: string }>()
      for (const [, id, , rule] of lines) {
        const key = rule
          .toLowerCase()
          .replace(/[^a-z0-9 ]/g, '')
          .trim()
        const g = groups.get(key) ?? { members: [], wording: rule.trim() }
        g.members.push(id)
        groups.set(key, g)
      }
      const list = [...groups.values()].map((g) => {
        const topic = opts.topicOf?.(g.wording)
        return topic ? { ...g, topic } : g
      })
      // "Never X" against "Always X" is a contradiction
      const contradictions: { a: number; b: number; why: string }[] = []
      list.forEach((g, i) =>
        list.forEach((h, j) => {
          if (
            i < j &&
            g.wording.replace(/^never /i, '').toLowerCase() === h.wording.replace(/^always /i, '').toLowerCase() &&
            /^never /i.test(g.wording) &&
            /^always /i.test(h.wording)
          )
            contradictions.push({ a: i, b: j, why: 'one forbids what the other requires' })
        })
      )
      return {
        delayMs: opts.mergeDelayMs,
        toolUses: [
          {
            name: ask!.answerWith,
            input: {
              groups: list,
              contradictions,
              ...(opts.topics ? { topics: opts.topics } : {}),
              skill: {
                name: opts.skillName ?? 'landing-page',
                description: 'Builds single-page landing sites. Use when asked for a landing page.',
                title: 'Landing pages',
                whenToUse: 'When the task is a one-page marketing site.'
              }
            }
          }
        ]
      }
    }
    return { text: 'OK' }
  }
}
