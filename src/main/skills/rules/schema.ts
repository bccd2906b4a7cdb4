/**
 * What the merge model answers, checked with this schema (the tool's JSON schema is made from it), and
 * how its answer becomes consolidate.ts's input: existing rules named "xN", contradiction ends as
 * group indexes. The model only groups and flags; the app does the rest. Pure; Electron-free.
 */
import { z } from 'zod'
import { toolInputSchema } from '../../../shared/tool-schema'

const contradicting = z.union([z.number().int(), z.string()])
export const MergeAnswerSchema = z.object({
  groups: z.array(
    z.object({
      members: z.array(z.string()).describe('rule ids'),
      wording: z.string().describe('one imperative sentence for the group'),
      why: z
        .string()
        .nullish()
        .describe("one short sentence: why the group's rule matters, drawn from its members' reasons (what happened in the runs)"),
      existing: z
        .string()
        .nullish()
        .describe('the id (x1, x2, ...) of the existing rule this group says the same as (even with more added), if any'),
      topic: z.string().nullish().describe('the name of the topic (from topics) its rule belongs to')
    })
  ),
  topics: z
    .array(
      z.object({
        name: z.string().describe('a file name: lowercase letters, digits and hyphens ("forms", "slow-network")'),
        title: z.string().describe('a short title'),
        when: z
          .string()
          .describe('when a future agent should read it, as it follows "Read references/<name>.md when": "the page has a form"')
      })
    )
    .nullish()
    .describe('at most 5 topics the rarer rules fall into, each a reference file of the skill'),
  contradictions: z
    .array(z.object({ a: contradicting, b: contradicting, why: z.string() }))
    .describe('pairs that contradict each other: a group by its index in groups (0-based), or an existing rule by its id (x1, x2, ...)'),
  skill: z.object({
    name: z.string().describe('lowercase letters, digits and hyphens, at most 64'),
    description: z.string().describe('what the skill does and when to use it, at most 1024 characters, no angle brackets'),
    title: z.string(),
    whenToUse: z.string().describe('one short paragraph')
  })
})

/** The tool the merge model answers with (the ModelPort's ToolDef). */
export const MERGE_TOOL = {
  name: 'merge_rules',
  description:
    'Group the rules that say the same thing, give each group one wording and a topic, flag contradictions, and name the skill and its topics.',
  input_schema: toolInputSchema(MergeAnswerSchema)
}
export type MergeAnswer = z.infer<typeof MergeAnswerSchema>

/**
 * A merge group with the existing rule it restates as an index (0-based) into the existing rules: from
 * its "existing" field, or an "xN" the model put among its members (taken out of them). Unknown ids are
 * left for mergeRules to name.
 */
export function sameAsExisting(
  g: { members: string[]; wording: string; why?: string | null; existing?: string | null; topic?: string | null },
  existing: number
): { members: string[]; wording: string; why?: string; existing?: number; topic?: string } {
  const xOf = (id: string | null | undefined) => {
    const m = /^\s*x(\d+)\s*$/i.exec(id ?? '')
    return m ? Number(m[1]) : null
  }
  const named = [g.existing, ...g.members].map(xOf).find((n) => n !== null && n >= 1 && n <= existing)
  const members = existing ? g.members.filter((id) => xOf(id) === null) : g.members
  const why = g.why?.trim()
  const topic = g.topic?.trim()
  return {
    members,
    wording: g.wording,
    ...(why ? { why } : {}),
    ...(named != null ? { existing: named - 1 } : {}),
    ...(topic ? { topic } : {})
  }
}

/** A contradiction end as a group index for mergeRules: a number is a group; "xN" is the N-th existing rule. */
export function contradictionIndex(end: number | string, groups: number, existing: number): number | null {
  if (typeof end === 'number') return end >= 0 && end < groups ? end : null
  const x = /^x(\d+)$/i.exec(end.trim())
  if (x) return Number(x[1]) >= 1 && Number(x[1]) <= existing ? groups + Number(x[1]) - 1 : null
  return /^\d+$/.test(end.trim()) ? contradictionIndex(Number(end), groups, existing) : null
}
