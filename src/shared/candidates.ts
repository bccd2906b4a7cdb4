/**
 * The best of several candidates (issue 22): 2 to 5 versions of one skill verified with no skill on the
 * same variations in one blind, interleaved batch (a verification of kind 'candidates'), and the table
 * that compares them: pass rate with its 95% interval, the paired difference against no skill and
 * against each other candidate (exact sign test), trigger rate, cost; and the one the app suggests, by
 * the paired test (never by a raw rate), or the sentence why none. Pure data + zod schemas.
 */
import { z } from 'zod'

export const MIN_CANDIDATES = 2
export const MAX_CANDIDATES = 5
/** The suggestion needs p below this, against no skill and against every other eligible candidate. */
export const SUGGEST_P = 0.05

/** A version verified as a candidate: its id, number, and the skill's name in it (its folder when installed). */
export const CandidateSchema = z.object({ id: z.string(), number: z.number().int().min(1), name: z.string() })
export type Candidate = z.infer<typeof CandidateSchema>

/** A candidates verification made from a batch: its candidates built first (by the analysis service). */
export const CandidatesBuildSchema = z.object({
  batchId: z.string(),
  n: z.number().int(),
  models: z.array(z.string()).optional(),
  mergeModel: z.string().optional(),
  via: z.enum(['api', 'claude-cli']).optional(),
  claudePath: z.string().optional(),
  /** install candidates with flagged texts (the person confirmed it when making them) */
  acceptFlagged: z.boolean().optional(),
  /** the cost cap it was made under */
  capUsd: z.number().optional(),
  state: z.enum(['running', 'done', 'failed', 'cancelled', 'interrupted']),
  done: z.number().int(),
  total: z.number().int(),
  costUsd: z.number(),
  analysisIds: z.array(z.string()).default([]),
  /** the versions built (kept as soon as they are: a resume verifies them instead of building again) */
  versionIds: z.array(z.string()).optional(),
  error: z.string().optional()
})
export type CandidatesBuild = z.infer<typeof CandidatesBuildSchema>

const Interval = z.object({ low: z.number(), high: z.number() })
const Rate = z.object({ passed: z.number(), n: z.number(), rate: z.number().nullable(), ci: Interval.nullable() })

/** A paired comparison of two arms over the variation-repeats graded in every arm: `a` minus `b`. */
export const PairedSchema = z.object({
  pairs: z.number(),
  /** a's pass rate minus b's (null without pairs) */
  difference: z.number().nullable(),
  /** bad in b, good in a */
  fixed: z.number(),
  /** good in b, bad in a */
  broken: z.number(),
  ties: z.number(),
  /** the exact two-sided sign test on the fixed and broken pairs */
  p: z.number()
})
export type Paired = z.infer<typeof PairedSchema>

export const CandidateRowSchema = z.object({
  /** null: no skill */
  candidate: z.number().int().nullable(),
  versionId: z.string().nullable(),
  /** "version 3" or "no skill" */
  label: z.string(),
  runs: z.number(),
  graded: z.number(),
  /** over the variation-repeats graded in every arm */
  passRate: Rate,
  /** against no skill (null for the no-skill row) */
  vsNone: PairedSchema.nullable(),
  /** runs that loaded the candidate, of its finished runs whose trace was read (null for no skill) */
  trigger: z.object({ invoked: z.number(), runs: z.number(), rate: z.number().nullable() }).nullable(),
  costUsd: z.number(),
  meanCostUsd: z.number().nullable()
})
export type CandidateRow = z.infer<typeof CandidateRowSchema>

export const CandidatesTableSchema = z.object({
  /** the variation-repeats graded in every arm: what every figure is over */
  pairs: z.number(),
  /** no skill first, then each candidate in order */
  rows: z.array(CandidateRowSchema),
  /** [i][j]: candidate i against candidate j (null on the diagonal) */
  matrix: z.array(z.array(PairedSchema.nullable())),
  /** the candidate suggested (an index into the verification's `candidates`), or null */
  suggested: z.number().int().nullable(),
  /** why it is suggested, or why none is */
  why: z.string(),
  /** every run finished and graded */
  complete: z.boolean()
})
export type CandidatesTable = z.infer<typeof CandidatesTableSchema>

/** "p = 0.031", "p = 0.38" or "p < 0.001": as the verification's screens write a p-value. */
export const pText = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p < 0.1 ? p.toFixed(3) : p.toFixed(2)}`)
