/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * A scripted model for verification (step 5), for tests, e2e and the benchmark. Runs of the real
 * `claude` whose prompt carries `SCENARIO:skilled MODE=<mode>` behave better when a skill is loaded:
 * when the request lists a skill named `landing-page` whose description mentions a landing page, the
 * agent first calls the `Skill` tool; once the skill's text has arrived ("Base directory for this
 * skill"), it takes the good path. Modes: `fixed` (bad without the skill, good with it), `trap` (good
 * without, bad with: the skill breaks it), `good` and `bad` (the same whatever the skill).
 *
 * Beside the runs, the same server answers the requests the app makes around them: fresh variations
 * (`propose_variations`), the explanation of fixed and broken pairs (`report_rules`) and the analysts
 * and the merge (`analystScript`).
 */
import type { Reply, Script } from './model-server'
import { analystScript, type AnalystBehaviour } from './analyst-script'
import { CLUTTERED_PAGE, LANDING_PAGE, prompt } from './scenarios'

export const SKILL_NAME = 'landing-page'
export type Mode = 'fixed' | 'trap' | 'good' | 'bad'
/** A prompt for a skilled run: its mode and some words that make it a variation of its own. */
export const skilledPrompt = (mode: Mode, words: string) => prompt('skilled', `MODE=${mode} ${words}`)

const textOf = (content: any): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content
          .map((b: any) => (typeof b?.text === 'string' ? b.text : typeof b?.content === 'string' ? b.content : textOf(b?.content)))
          .join('\n')
      : ''

/** Every skill Claude Code lists in this request, with its description. */
export function listedSkills(body: any): { name: string; description: string }[] {
  const all = [textOf(body?.system), ...(body?.messages ?? []).map((m: any) => textOf(m.content))].join('\n')
  const at = all.indexOf('skills are available')
  if (at < 0) return []
  return [...all.slice(at).matchAll(/^- ([a-z0-9-]+): (.*)$/gm)].map((m) => ({ name: m[1], description: m[2] }))
}

/** The page a skilled run writes, and whether it asks for the skill first. */
export function skilledReply(body: any): Reply {
  const messages = (body?.messages ?? []) as any[]
  const first = textOf(messages.find((m) => m.role === 'user')?.content)
  const mode = (/MODE=(\w+)/.exec(first)?.[1] ?? 'fixed') as Mode
  const all = messages.map((m) => JSON.stringify(m.content)).join('\n')
  const called = (tool: string) =>
    messages.some(
      (m) => m.role === 'assistant' && Array.isArray(m.content) && m.content.some((b: any) => b.type === 'tool_use' && b.name === tool)
    )
  // the first listed skill whose description says it covers a landing page (landing-page, or a renamed one)
  const fitting = listedSkills(body).find((x) => /landing page/i.test(x.description))
  if (fitting && !called('Skill'))
    return { text: 'A skill covers this task; loading it first.', toolUses: [{ name: 'Skill', input: { skill: fitting.name } }] }
  const loaded = all.includes('Base directory for this skill:')
  if (!called('Write')) {
    const good = mode === 'good' || (mode === 'fixed' && loaded) || (mode === 'trap' && !loaded)
    return {
      text: 'Writing the page.',
      toolUses: [{ name: 'Write', input: { file_path: 'index.html', content: good ? LANDING_PAGE : CLUTTERED_PAGE } }]
    }
  }
  return { text: 'Wrote index.html.' }
}

/** How the person grades a run's page: the cluttered one (deal cards) is bad. */
export const gradeOfPage = (html: string): 'good' | 'bad' => (html.includes('Deal 1') ? 'bad' : 'good')

export interface VerifyScriptOptions {
  /** fresh variations: the answer for the n-th propose_variations request (1-based) */
  variations?: (n: number, body: any) => { difficulty: string; prompt: string }[]
  /** the explanation of a pair: rule keys (R1...) with verdicts and lines, from the request */
  explain?: (body: any) => { rule_id: string; verdict: 'followed' | 'ignored'; why: string; lines: number[] }[]
  analysts?: Partial<Record<'error' | 'success' | 'structure' | 'edge', AnalystBehaviour>>
  /** delay before the variations' answer (a kill while they are written) */
  variationsDelayMs?: number
  /** delay before each answer to a skilled run (a kill while runs are running); undefined or 0: none */
  runDelayMs?: (body: any) => number | undefined
}

const toolNames = (body: any): string[] => (body?.tools ?? []).map((t: any) => t?.name)

export function verifyScript(o: VerifyScriptOptions = {}): Script & { requests: { kind: string; body: any }[] } {
  const analysts = analystScript(o.analysts ?? {})
  const requests: { kind: string; body: any }[] = []
  let variationCalls = 0
  const script = (async (req) => {
    const { body } = req
    const tools = toolNames(body)
    if (body?.tool_choice?.name === 'propose_variations' || tools.includes('propose_variations')) {
      requests.push({ kind: 'variations', body })
      variationCalls++
      const list = o.variations?.(variationCalls, body) ?? []
      return { delayMs: o.variationsDelayMs, toolUses: [{ name: 'propose_variations', input: { variations: list } }] }
    }
    if (tools.includes('report_rules')) {
      requests.push({ kind: 'explain', body })
      return { toolUses: [{ name: 'report_rules', input: { rules: o.explain?.(body) ?? [] } }] }
    }
    if (tools.includes('propose_rules') || tools.includes('merge_rules')) {
      requests.push({ kind: tools.includes('propose_rules') ? 'analyst' : 'merge', body })
      return analysts(req)
    }
    // the support check after the merge: every cited run confirmed
    if (tools.includes('check_support')) {
      requests.push({ kind: 'check', body })
      return analysts(req)
    }
    const first = textOf((body?.messages ?? []).find((m: any) => m.role === 'user')?.content)
    if (/SCENARIO:skilled\b/.test(first)) {
      requests.push({ kind: 'run', body })
      const delayMs = o.runDelayMs?.(body)
      return delayMs ? { ...skilledReply(body), delayMs } : skilledReply(body)
    }
    return { text: 'OK' }
  }) as Script & { requests: { kind: string; body: any }[] }
  script.requests = requests
  return script
}
