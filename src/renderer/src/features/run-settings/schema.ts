/**
 * The run-settings form (batch and verify) as typed: every field is text, read into `RunSettings` by a
 * schema whose defaults and limits are `RunSettingsSchema`'s (src/shared/runs.ts), never numbers of its
 * own. The same schema checks the form (react-hook-form's zod resolver) and reads it for the estimate.
 */
import { z } from 'zod'
import { PermissionPresetSchema, RunSettingsSchema } from '@shared/runs'

const RUN = RunSettingsSchema.shape

/** What a batch gets when nothing is chosen (sandboxed, 40 turns, 3 at once, 1 repeat, 30 minutes...). */
export const RUN_DEFAULTS = RunSettingsSchema.parse({})

/** A number field's bounds, as the schema holds them (for the input's min and max and the messages). */
export interface Limits {
  min: number
  max: number
  /** the minimum itself is not allowed (e.g. a spending cap above 0) */
  exclusive: boolean
  int: boolean
}

export function limitsOf(schema: z.ZodNumber): Limits {
  const min = schema.minValue ?? 0
  return { min, max: schema.maxValue ?? Number.MAX_SAFE_INTEGER, exclusive: !schema.safeParse(min).success, int: !!schema.isInt }
}

export const LIMITS = {
  maxTurns: limitsOf(RUN.maxTurns.unwrap()),
  concurrency: limitsOf(RUN.concurrency.unwrap()),
  repeats: limitsOf(RUN.repeats.unwrap()),
  maxBudgetUsd: limitsOf(RUN.maxBudgetUsd.unwrap())
}

/** e.g. "Max turns: a whole number from 1 to 1000 (or empty)." */
export function limitMessage(label: string, l: Limits, optional: boolean, noun = l.int ? 'whole number' : 'number'): string {
  const what = l.exclusive ? `a ${noun} above ${l.min}` : `a ${noun} from ${l.min} to ${l.max}`
  return `${label}: ${what}${optional ? ' (or empty)' : ''}.`
}

/** A number typed as text, checked against `schema`; empty is undefined when optional, else an error. */
export function numberText(schema: z.ZodNumber, label: string, optional: boolean, noun?: string) {
  const message = limitMessage(label, limitsOf(schema), optional, noun)
  return z.string().transform((text, ctx): number | undefined => {
    if (!text.trim()) {
      if (!optional) ctx.addIssue({ code: 'custom', message })
      return undefined
    }
    const r = schema.safeParse(Number(text))
    if (!r.success) {
      ctx.addIssue({ code: 'custom', message })
      return z.NEVER
    }
    return r.data
  })
}

const optionalText = (schema: z.ZodString) =>
  z
    .string()
    .transform((s) => s.trim())
    .pipe(schema)
    .transform((s) => s || undefined)

/**
 * The form's schema. `optional`: an empty field is left out (verify: the learned batch's setting is
 * kept); otherwise every number is required (the batch form starts filled with the defaults).
 * `repeats`: the bounds of the repeats field (a batch's, or a verification's per arm).
 */
export function runSettingsFormSchema(opts: { optional: boolean; repeats: z.ZodNumber; repeatsLabel: string }) {
  return z.object({
    model: optionalText(RUN.model.unwrap()),
    maxTurns: numberText(RUN.maxTurns.unwrap(), 'Max turns', opts.optional),
    concurrency: numberText(RUN.concurrency.unwrap(), 'Runs at once', opts.optional),
    repeats: numberText(opts.repeats, opts.repeatsLabel, false),
    maxBudgetUsd: numberText(RUN.maxBudgetUsd.unwrap(), 'Spending cap per run', true, 'number of dollars'),
    claudePath: optionalText(RUN.claudePath.unwrap()),
    /** null until the person picks one (then the learned batch's, or this machine's default) */
    permission: PermissionPresetSchema.nullable(),
    /** parsed with parseDomains (its errors are shown under the field) */
    domainsText: z.string(),
    useMyClaudeSettings: z.boolean()
  })
}
export type RunSettingsFormSchema = ReturnType<typeof runSettingsFormSchema>
export type RunSettingsInput = z.input<RunSettingsFormSchema>
export type RunSettingsOutput = z.output<RunSettingsFormSchema>

/** The form filled with the schema's defaults (the batch form), or empty (verify: the learned batch's are kept). */
export function formDefaults(filled: boolean, repeats: number): RunSettingsInput {
  return {
    model: '',
    maxTurns: filled ? String(RUN_DEFAULTS.maxTurns) : '',
    concurrency: filled ? String(RUN_DEFAULTS.concurrency) : '',
    repeats: String(repeats),
    maxBudgetUsd: '',
    claudePath: '',
    permission: null,
    domainsText: '',
    useMyClaudeSettings: false
  }
}
