/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * For confirming rules (issue 22), with the real `claude` and a scripted model: a skill whose rules the
 * scripted agent reacts to one by one, a graded batch it was learned from (bad runs each rule cites,
 * good ones), and the agent: once the skill's text has arrived, on a bad variation X it writes a
 * passing page only when the skill holds rule A's text; on the bad variations Y and Z it fails
 * whatever the skill; on a good variation it fails only when the skill holds rule C's text. The grader
 * (verify-grader.ts) grades the page it is shown. Every run's request is kept, with the rule texts it held.
 */
import { randomUUID } from 'node:crypto'
import type { Service } from '../../src/main/app/service'
import { emptyProgress, type Batch, type Run } from '../../src/shared/runs'
import type { Skill, SkillRule } from '../../src/shared/skills'
import type { Reply, Script } from './model-server'
import { CLUTTERED_PAGE, LANDING_PAGE, prompt } from './scenarios'
import { listedSkills } from './verify-script'
import { verifyGraderScript } from './verify-grader'

export const CONFIRM_SKILL = 'landing-page'
export const RULE = {
  A: 'Keep the page to three calm cards under the hero',
  B: 'Name the business in the first heading of the page',
  C: 'Add a loud deal card for every offer you can think of',
  /** drawn from good runs only: stays in every run's skill */
  D: 'Use the brand colour for the one call to action',
  /** discarded: never under test */
  E: 'Write the page in one single line of markup'
}
export const confirmPrompt = (variation: string) => prompt('confirm', `VAR=${variation} a landing page for business ${variation}`)

const textOf = (content: any): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content
          .map((b: any) => (typeof b?.text === 'string' ? b.text : typeof b?.content === 'string' ? b.content : textOf(b?.content)))
          .join('\n')
      : ''

export interface ConfirmRunSeen {
  variation: string
  /** the rule keys whose text the request held once the skill was loaded */
  rules: string[]
}

/** `runDelayMs`: asked at each answer to a run, how long it waits (a cancel while runs are in flight); `onRun`: told of each. */
export function confirmScript(
  o: { runDelayMs?: () => number; onRun?: () => void } = {}
): Script & { seen: ConfirmRunSeen[]; graderRequests: any[] } {
  const grader = verifyGraderScript()
  const seen: ConfirmRunSeen[] = []
  const script = (async (req) => {
    const { body } = req
    const messages = (body?.messages ?? []) as any[]
    const first = textOf(messages.find((m) => m.role === 'user')?.content)
    // the grader is shown the run's prompt too: it answers its own requests
    if (body?.tool_choice?.name === 'grade_output' || !/SCENARIO:confirm\b/.test(first)) return grader(req)
    o.onRun?.()
    const delay = o.runDelayMs?.() || 0
    if (delay) return { text: 'Thinking.', delayMs: delay } satisfies Reply
    const variation = /VAR=(\w+)/.exec(first)?.[1] ?? ''
    const all = messages.map((m) => textOf(m.content)).join('\n')
    const called = (tool: string) =>
      messages.some(
        (m) => m.role === 'assistant' && Array.isArray(m.content) && m.content.some((b: any) => b.type === 'tool_use' && b.name === tool)
      )
    const fitting = listedSkills(body).find((x) => /landing page/i.test(x.description))
    if (fitting && !called('Skill'))
      return {
        text: 'A skill covers this task; loading it first.',
        toolUses: [{ name: 'Skill', input: { skill: fitting.name } }]
      } satisfies Reply
    if (!called('Write')) {
      const loaded = all.includes('Base directory for this skill:')
      const holds = Object.entries(RULE)
        .filter(([, text]) => loaded && all.includes(text))
        .map(([k]) => k)
      // the run's own turn (a side request of claude's with one tool is not)
      if ((body?.tools ?? []).some((t: any) => t?.name === 'Write')) seen.push({ variation, rules: holds })
      const good = /^X/.test(variation) ? holds.includes('A') : /^G/.test(variation) ? !holds.includes('C') : false
      return {
        text: 'Writing the page.',
        toolUses: [{ name: 'Write', input: { file_path: 'index.html', content: good ? LANDING_PAGE : CLUTTERED_PAGE } }]
      } satisfies Reply
    }
    return { text: 'Wrote index.html.' } satisfies Reply
  }) as Script & { seen: ConfirmRunSeen[]; graderRequests: any[] }
  script.seen = seen
  script.graderRequests = grader.graderRequests
  return script
}

const now = () => new Date().toISOString()

/**
 * The batch a skill was learned from (finished, graded runs, with costs: X1 X2 Y Z bad, G G2 good) and
 * the skill (rules A-E citing them), saved as version 1.
 */
export async function plantConfirmSkill(service: Service, taskId?: string, o: { ruleD?: string } = {}) {
  const batchId = randomUUID()
  const plan: [string, 'good' | 'bad', number][] = [
    ['X1', 'bad', 0.1],
    ['X2', 'bad', 0.2],
    ['Y', 'bad', 0.3],
    ['Z', 'bad', 0.4],
    ['G', 'good', 0.5],
    ['G2', 'good', 0.3]
  ]
  const runs: Run[] = plan.map(([variation, label, cost], i) => ({
    id: randomUUID(),
    batchId,
    number: i + 1,
    difficulty: 'normal',
    prompt: confirmPrompt(variation),
    repeat: 1,
    state: 'done',
    sessionId: randomUUID(),
    progress: { ...emptyProgress(), turns: 3, costUsd: cost },
    files: [],
    screenshots: [],
    imported: false,
    feedback: { label, text: label === 'good' ? 'clean page' : 'cluttered page', updatedAt: now() }
  }))
  const batch: Batch = {
    id: batchId,
    ...(taskId ? { taskId } : {}),
    name: 'Landing pages',
    createdAt: now(),
    settings: { concurrency: 1, maxTurns: 5, permission: 'accept-edits' } as Batch['settings'],
    runIds: runs.map((r) => r.id)
  }
  await service.store.batches.add(batch, runs)
  const rule = (id: keyof typeof RULE, evidence: number[], tier: SkillRule['tier'] = 'core'): SkillRule => ({
    id,
    text: RULE[id],
    evidence,
    priority: 'high',
    tier,
    sources: [],
    analysts: ['error'],
    reasons: ['the runs'],
    pointers: [],
    guard: false,
    existing: false,
    pinnedTier: false
  })
  const skill: Skill = {
    id: randomUUID(),
    batchIds: [batchId],
    ...(taskId ? { taskId } : {}),
    frontMatter: { name: CONFIRM_SKILL, description: 'Use when building a landing page: a hero, three cards, one call to action.' },
    title: 'Landing page',
    whenToUse: 'When asked for a landing page.',
    rules: [
      rule('A', [1, 2]),
      rule('B', [3]),
      rule('C', [4, 5]),
      { ...rule('D', [5, 6]), ...(o.ruleD ? { text: o.ruleD } : {}) },
      rule('E', [1, 3], 'discarded')
    ],
    conflicts: [],
    setAside: [],
    createdAt: now(),
    updatedAt: now()
  }
  await service.store.skills.put(skill)
  await service.handlers.saveSkill({ skillId: skill.id, patch: { title: 'Landing pages' } })
  const versions = await service.store.skills.versions(skill.id)
  return { batchId, skillId: skill.id, versionId: versions[versions.length - 1].id, runs }
}
