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
        prompt: z.string().min(20).max(20_000).describe('A complete, self-contained prompt for Claude Code.')
      })
    )
    .min(1)
})
export type ProposedVariation = { difficulty: Difficulty; prompt: string }

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

export function variationPrompt(task: Pick<Task, 'name' | 'text'>, mix: Mix, avoid: string[] = []): string {
  const wanted = DIFFICULTIES.filter((d) => mix[d] > 0).map((d) => `- ${mix[d]} ${DESCRIBE[d]}`)
  return [
    `Write variations of this task for an AI coding agent (Claude Code), to test how well it does the task.`,
    `Task name: ${task.name}`,
    `Task:\n${task.text}`,
    `Exactly this many of each difficulty:\n${wanted.join('\n')}`,
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
  avoid: string[] = []
): { ok: true; variations: ProposedVariation[] } | { ok: false; problem: string } {
  const parsed = AnswerSchema.safeParse(input)
  if (!parsed.success) {
    const i = parsed.error.issues[0]
    return { ok: false, problem: `the answer does not fit the schema (${i?.path.join('.') || 'top level'}: ${i?.message})` }
  }
  const counts = Object.fromEntries(DIFFICULTIES.map((d) => [d, parsed.data.variations.filter((v) => v.difficulty === d).length])) as Mix
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
  // In mix order: easy first, adversarial last.
  const order = (d: Difficulty) => DIFFICULTIES.indexOf(d)
  return {
    ok: true,
    variations: [...parsed.data.variations]
      .sort((a, b) => order(a.difficulty) - order(b.difficulty))
      .map((v) => ({ difficulty: v.difficulty, prompt: v.prompt.trim() }))
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
  opts: { model?: string; signal?: AbortSignal; avoid?: string[] } = {}
): Promise<ProposedVariation[]> {
  const client = new Anthropic({ apiKey: access.apiKey, baseURL: access.baseURL, maxRetries: 2, timeout: 120_000 })
  const total = DIFFICULTIES.reduce((n, d) => n + mix[d], 0)
  if (total === 0) throw new VariationError('ask for at least one variation')
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: variationPrompt(task, mix, opts.avoid) }]
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
      ? checkAnswer(call.input, mix, opts.avoid)
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

/** Regenerate one variation of the given difficulty, different from the others. */
export async function regenerateOne(
  access: ModelAccess,
  task: Pick<Task, 'name' | 'text'>,
  difficulty: Difficulty,
  others: string[],
  opts: { model?: string } = {}
): Promise<ProposedVariation> {
  const mix: Mix = { easy: 0, normal: 0, hard: 0, adversarial: 0, [difficulty]: 1 }
  const withOthers = {
    ...task,
    text: `${task.text}\n\nThese variations exist already; write a different one:\n${others.map((o, i) => `${i + 1}. ${o.slice(0, 400)}`).join('\n')}`
  }
  const [v] = await generateVariations(access, withOthers, mix, opts)
  return v
}
