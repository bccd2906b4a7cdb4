/**
 * What a candidates verification would be, before it starts (estimateCandidates, makeCandidates): its
 * runs (variations x repeats x (candidates + no skill)), the cost at the learned batch's real costs, the
 * cap it is refused over unless raised. Pure data + zod schemas.
 */
import { z } from 'zod'
import { RunSettingsSchema } from './runs'
import { VariationSourceSchema, VerifyWarningSchema } from './verify'

/** Over this estimated cost a candidates verification is refused unless the cap is raised (US dollars). */
export const DEFAULT_CANDIDATES_CAP_USD = 25

export const CandidatesEstimateSchema = z.object({
  /** how many candidates (built first when `build` is set) */
  candidates: z.number().int(),
  /** the versions verified (none yet when they are to be built) */
  versions: z.array(z.object({ id: z.string(), number: z.number().int(), name: z.string() })),
  /** the batch the candidates are built from, and how many */
  build: z
    .object({
      batchId: z.string(),
      n: z.number().int(),
      /** the N analyses' estimated cost (in `usd` too); null: not known (no price for the model, or why in `basis`) */
      usd: z.number().nullable().optional()
    })
    .nullable(),
  variations: z.number(),
  repeats: z.number(),
  runs: z.number(),
  source: VariationSourceSchema,
  heldOut: z.boolean(),
  /** the mean cost of a finished run of the learned batch (null: none finished) */
  costPerRunUsd: z.number().nullable(),
  usd: z.number().nullable(),
  /** each run stops at the budget cap (settings.maxBudgetUsd) x runs; null when there is no cap */
  budgetUsd: z.number().nullable(),
  /** the cap: over it, refused unless raised */
  capUsd: z.number(),
  /** the estimate is over the cap */
  over: z.boolean(),
  basis: z.string(),
  settings: RunSettingsSchema,
  warnings: z.array(VerifyWarningSchema)
})
export type CandidatesEstimate = z.infer<typeof CandidatesEstimateSchema>
