/**
 * Operations: every long piece of work (indexing, a batch of runs, an analysis, a merge, a verification
 * run) as one record: an id, a kind, what it works on, its parameters (persisted, so a retry or a
 * restart uses the same ones), and how it ended.
 */
import { z } from 'zod'

export const OPERATION_KINDS = ['index', 'batch', 'analysis', 'merge', 'verify', 'rubric', 'grader', 'pregrade', 'triggers'] as const
export const OperationKindSchema = z.enum(OPERATION_KINDS)
export type OperationKind = z.infer<typeof OperationKindSchema>

export const OPERATION_STATES = ['running', 'done', 'failed', 'cancelled', 'interrupted'] as const
export const OperationStateSchema = z.enum(OPERATION_STATES)
export type OperationState = z.infer<typeof OperationStateSchema>

export const OperationSchema = z.object({
  id: z.string(),
  kind: OperationKindSchema,
  /** what it works on: a batch id, an analysis id */
  subject: z.string().optional(),
  /** the operation it is part of (a merge is part of its analysis) */
  parentId: z.string().optional(),
  /** what it was started with (model, via, claude path...): a retry or a restart reuses them */
  params: z.record(z.string(), z.unknown()),
  state: OperationStateSchema,
  startedAt: z.string(),
  endedAt: z.string().optional(),
  /** one line: why it failed */
  error: z.string().optional()
})
export type Operation = z.infer<typeof OperationSchema>
