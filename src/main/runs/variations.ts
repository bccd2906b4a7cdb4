/**
 * Task variations from a model: a forced tool call whose input is checked against a schema and the
 * requested mix. A malformed answer is rejected with a clear message and asked for once more; nothing
 * is saved until an answer is valid.
 */
import Anthropic from '@anthropic-ai/sdk'
import { z } from 'zod'
import { DIFFICULTIES, DifficultySchema, type Difficulty, type Mix, type Task } from '../../shared/runs'

import { DEFAULT_VARIATION_MODEL } from '../../shared/models'
import { toolInputSchema } from '../../shared/tool-schema'

/** The model that writes variations unless one is chosen (src/shared/models.ts). */
export { DEFAULT_VARIATION_MODEL }

const AnswerSchema = z.object({
  variations: z
    .array(
      z.object({
        difficulty: DifficultySchema,
        prompt: z.string().min(20).max(20_000).describe('A complete, self-contained prompt for Claude Code.'),
        nearMiss: z
          .boolean()
          .optional()
          .describe('true for a near-miss prompt: similar words, a different job, one the skill should not be used for')
      })
    )
    .min(1)
})
export type ProposedVariation = { difficulty: Difficulty; prompt: string; nearMiss?: true }

/** How many near-miss prompts a mix of `total` variations comes with: about one in 8, at least 1, at most 3. */
export const nearMissesFor = (total: number) => (total < 4 ? 0 : Math.min(3, Math.max(1, Math.round(total / 8))))

export const TOOL = {
  name: 'propose_variations',
  description: 'Return the task variations.',
  input_schema: toolInputSchema(AnswerSchema)
}

const DESCRIBE: Record<Difficulty, string> = {
  easy: 'easy: a simple, clear instance of the task',
  normal: 'normal: a typical instance with realistic detail',
  hard: 'hard: tricky edge cases that need care',
  adversarial: 'adversarial: meant to break the agent (ambiguity, conflicting or misleading requirements, traps)'
}

const normalizePrompt = (p: string) => p.replace(/\s+/g, ' ').trim().toLowerCase()
/** How many prompts to avoid are listed in the request (each cut to 300 characters); all are checked. */
const AVOID_LISTED = 60

/** How a user really writes a prompt: what the variation writer is told. */
export const LIKE_A_USER =
  'Write each prompt the way a real user would type it to the agent: concrete names, files, numbers and constraints (a company, a file path, a deadline, a brand colour), in their own voice. Vary the style: some long and precise, some terse (one line, no pleasantries), a few with the typos and loose grammar of someone typing fast. Never write like a test plan ("Variation 3: ...").'

/** What a near-miss prompt is (the "should not trigger" cases). */
export const NEAR_MISS =
  'near-miss prompts: they use similar words or the same subject as the task but ask for a different job (the agent should not treat them as this task; for a landing-page task, e.g. "fix the typo in our landing page\'s README" or "write the copy for a landing page email"). Mark each with "nearMiss": true; give it the difficulty it would have; they are in addition to the counts above'

export function variationPrompt(task: Pick<Task, 'name' | 'text'>, mix: Mix, avoid: string[] = [], nearMisses = 0): string {
  const wanted = DIFFICULTIES.filter((d) => mix[d] > 0).map((d) => `- ${mix[d]} ${DESCRIBE[d]}`)
  const counts = wanted.length ? `Exactly this many of each difficulty:\n${wanted.join('\n')}` : 'No ordinary variations this time.'
  return [
    `Write variations of this task for an AI coding agent (Claude Code), to test how well it does the task.`,
    `Task name: ${task.name}`,
    `Task:\n${task.text}`,
    counts,
    nearMisses > 0 ? `Also exactly ${nearMisses} ${NEAR_MISS}.` : 'Write no near-miss prompts: every variation is an instance of the task.',
    LIKE_A_USER,
    avoid.length
      ? `These prompts were used already (the agent's skill was learned from them): write new ones, with other subjects and details, none a copy of these:\n${avoid
          .slice(0, AVOID_LISTED)
          .map((p, i) => `${i + 1}. ${p.replace(/\s+/g, ' ').slice(0, 300)}`)
          .join('\n')}`
      : null,
    `Each variation is one complete, self-contained prompt that can be given to the agent as is (it will not see the original task), in the same language and for the same kind of output. Vary the subject matter as well as the difficulty. Answer only by calling propose_variations.`
  ]
    .filter((x): x is string => x !== null)
    .join('\n\n')
}

/**
 * Check an answer against the schema and the mix (and, given prompts to avoid, that it repeats none of
 * them); returns a message saying what is wrong, or the variations.
 */
export function checkAnswer(
  input: unknown,
  mix: Mix,
  avoid: string[] = [],
  nearMisses = 0
): { ok: true; variations: ProposedVariation[] } | { ok: false; problem: string } {
  const parsed = AnswerSchema.safeParse(input)
  if (!parsed.success) {
    const i = parsed.error.issues[0]
    return { ok: false, problem: `the answer does not fit the schema (${i?.path.join('.') || 'top level'}: ${i?.message})` }
  }
  // near-miss prompts are extra: the mix counts the others; fewer near misses than asked is no reason to ask again
  const near = parsed.data.variations.filter((v) => v.nearMiss).length
  if (near > nearMisses)
    return {
      ok: false,
      problem: nearMisses ? `asked for at most ${nearMisses} near-miss prompts, got ${near}` : 'asked for no near-miss prompts'
    }
  const ordinary = parsed.data.variations.filter((v) => !v.nearMiss)
  const counts = Object.fromEntries(DIFFICULTIES.map((d) => [d, ordinary.filter((v) => v.difficulty === d).length])) as Mix
  const off = DIFFICULTIES.filter((d) => counts[d] !== mix[d])
  if (off.length)
    return {
      ok: false,
      problem: `the mix is wrong: asked for ${off.map((d) => `${mix[d]} ${d}`).join(', ')}, got ${off.map((d) => `${counts[d]} ${d}`).join(', ')}`
    }
  const seen = new Set<string>()
  for (const v of parsed.data.variations) {
    const key = v.prompt.trim().toLowerCase()
    if (seen.has(key)) return { ok: false, problem: 'two variations are the same prompt' }
    seen.add(key)
  }
  const used = new Set(avoid.map(normalizePrompt))
  const repeated = parsed.data.variations.findIndex((v) => used.has(normalizePrompt(v.prompt)))
  if (repeated >= 0) return { ok: false, problem: `variation ${repeated + 1} is a prompt that was used already; write a new one` }
  // In mix order: easy first, adversarial last, then the near misses.
  const order = (v: { difficulty: Difficulty; nearMiss?: boolean }) =>
    (v.nearMiss ? DIFFICULTIES.length : 0) + DIFFICULTIES.indexOf(v.difficulty)
  return {
    ok: true,
    variations: [...parsed.data.variations]
      .sort((a, b) => order(a) - order(b))
      .map((v) => ({ difficulty: v.difficulty, prompt: v.prompt.trim(), ...(v.nearMiss ? { nearMiss: true as const } : {}) }))
  }
}

export interface ModelAccess {
  apiKey: string
  baseURL?: string
}

export class VariationError extends Error {
  code = 'bad-answer'
}

/** Ask the model for variations; one retry with the problem stated; throws VariationError if still bad. */
export async function generateVariations(
  access: ModelAccess,
  task: Pick<Task, 'name' | 'text'>,
  mix: Mix,
  /** nearMisses: how many near-miss prompts to ask for besides the mix (default none) */
  opts: { model?: string; signal?: AbortSignal; avoid?: string[]; nearMisses?: number } = {}
): Promise<ProposedVariation[]> {
  const client = new Anthropic({ apiKey: access.apiKey, baseURL: access.baseURL, maxRetries: 2, timeout: 120_000 })
  const nearMisses = opts.nearMisses ?? 0
  const total = DIFFICULTIES.reduce((n, d) => n + mix[d], 0) + nearMisses
  if (total === 0) throw new VariationError('ask for at least one variation')
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: variationPrompt(task, mix, opts.avoid, nearMisses) }]
  let problem = ''
  for (let attempt = 1; attempt <= 2; attempt++) {
    const res = await client.messages.create(
      {
        model: opts.model ?? DEFAULT_VARIATION_MODEL,
        max_tokens: Math.min(32_000, 1500 + total * 600),
        tools: [TOOL],
        tool_choice: { type: 'tool', name: TOOL.name },
        messages
      },
      { signal: opts.signal }
    )
    const call = res.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use' && b.name === TOOL.name)
    const checked = call
      ? checkAnswer(call.input, mix, opts.avoid, nearMisses)
      : ({ ok: false, problem: 'the model did not call propose_variations' } as const)
    if (checked.ok) return checked.variations
    problem = checked.problem
    if (call) {
      messages.push({ role: 'assistant', content: res.content })
      messages.push({
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: call.id,
            is_error: true,
            content: `Rejected: ${problem}. Call propose_variations again with exactly the requested mix${opts.avoid?.length ? ', and no prompt that was used already' : ''}.`
          }
        ]
      })
    } else {
      messages.push({ role: 'assistant', content: res.content.length ? res.content : [{ type: 'text', text: '(no answer)' }] })
      messages.push({ role: 'user', content: `Rejected: ${problem}. Call propose_variations with exactly the requested mix.` })
    }
  }
  throw new VariationError(
    `The model's variations were rejected twice (${problem}); nothing was saved. Try again, or paste a numbered list.`
  )
}

/** Regenerate one variation of the given difficulty (a near miss when `nearMiss`), different from the others. */
export async function regenerateOne(
  access: ModelAccess,
  task: Pick<Task, 'name' | 'text'>,
  difficulty: Difficulty,
  others: string[],
  opts: { model?: string; nearMiss?: boolean } = {}
): Promise<ProposedVariation> {
  const none: Mix = { easy: 0, normal: 0, hard: 0, adversarial: 0 }
  const mix: Mix = opts.nearMiss ? none : { ...none, [difficulty]: 1 }
  const withOthers = {
    ...task,
    text: `${task.text}\n\nThese variations exist already; write a different one:\n${others.map((o, i) => `${i + 1}. ${o.slice(0, 400)}`).join('\n')}`
  }
  const [v] = await generateVariations(access, withOthers, mix, { model: opts.model, nearMisses: opts.nearMiss ? 1 : 0 })
  if (!v) throw new VariationError('the model wrote no near-miss prompt; try again')
  return v
}
