/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * The scripted model of issue 23's claude runs (tests and the benchmark): it loads a listed skill only
 * by the rule of trigger-words.ts (the skill's description shares at least TRIGGER_OVERLAP words with
 * the prompt; of several, the one sharing most, the first listed on a tie). The prompt is the text the
 * person typed: the first user message's text, without Claude Code's system reminders (which list the
 * skills). A run then does the work as any run would: it writes a file (or several: `workSteps`), then
 * answers. So a full run is three turns when it loads the skill (Skill, Write, answer) and two when not
 * (Write, answer); a query run stopped at the decision is one.
 */
import type { Reply, Script } from './model-server'
import { overlap, TRIGGER_OVERLAP } from './trigger-words'
import { listedSkills } from './verify-script'

const REMINDER = /<system-reminder>[\s\S]*?<\/system-reminder>/g

/** The text of a message's content (a string, or its text blocks). */
const textsOf = (content: any): string[] =>
  typeof content === 'string'
    ? [content]
    : Array.isArray(content)
      ? content.filter((b: any) => b?.type === 'text').map((b: any) => String(b.text ?? ''))
      : []

/** The person's prompt in a request: the first user message's text, system reminders left out. */
export function promptOf(body: any): string {
  const first = (body?.messages ?? []).find((m: any) => m.role === 'user')
  return textsOf(first?.content)
    .map((t) => t.replace(REMINDER, '').trim())
    .filter(Boolean)
    .join('\n')
}

/** The listed skill the scripted model loads for this request's prompt (none: undefined). */
export function chosenSkill(body: any): string | undefined {
  const prompt = promptOf(body)
  let best: { name: string; n: number } | undefined
  for (const s of listedSkills(body)) {
    const n = overlap(s.description, prompt)
    if (n >= TRIGGER_OVERLAP && (!best || n > best.n)) best = { name: s.name, n }
  }
  return best?.name
}

/** How many times a tool has been called in this conversation so far. */
const calls = (body: any, tool: string): number =>
  (body?.messages ?? [])
    .filter((m: any) => m.role === 'assistant' && Array.isArray(m.content))
    .reduce((n: number, m: any) => n + m.content.filter((b: any) => b.type === 'tool_use' && b.name === tool).length, 0)

export type TriggerStep = 'skill' | 'write' | 'answer'

/**
 * The next step of a run: the Skill call first (when a skill fits and it has not been called), then
 * `workSteps` Writes (default 1: the shortest run that does the work), then the answer.
 */
export function triggerStep(body: any, workSteps = 1): { step: TriggerStep; reply: Reply } {
  const skill = chosenSkill(body)
  if (skill && !calls(body, 'Skill'))
    return { step: 'skill', reply: { text: 'A skill covers this; loading it.', toolUses: [{ name: 'Skill', input: { skill } }] } }
  const written = calls(body, 'Write')
  if (written < workSteps) {
    const file = written ? `answer-${written + 1}.md` : 'answer.md'
    return {
      step: 'write',
      reply: { text: 'Writing it.', toolUses: [{ name: 'Write', input: { file_path: file, content: `# Answer\n\n${promptOf(body)}\n` } }] }
    }
  }
  return { step: 'answer', reply: { text: 'Done: answer.md.' } }
}

export interface TriggerRequest {
  prompt: string
  step: TriggerStep
  body: any
}

/**
 * The script: every request of a run recorded with its prompt and the step answered. `delayMs`: model
 * latency before each answer (a cancel while runs wait on it; the benchmark's latency); `workSteps`:
 * the Writes a run makes before it answers.
 */
export function triggerScript(
  o: { delayMs?: (body: any) => number | undefined; workSteps?: number } = {}
): Script & { requests: TriggerRequest[] } {
  const requests: TriggerRequest[] = []
  const script = ((req) => {
    const { step, reply } = triggerStep(req.body, o.workSteps)
    requests.push({ prompt: promptOf(req.body), step, body: req.body })
    const delayMs = o.delayMs?.(req.body)
    return delayMs ? { ...reply, delayMs } : reply
  }) as Script & { requests: TriggerRequest[] }
  script.requests = requests
  return script
}
