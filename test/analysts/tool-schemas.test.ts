/**
 * The tools' JSON schemas are made from the zod schemas the answers are checked with
 * (src/shared/tool-schema.ts). What the model is sent stays what it was when they were written by hand:
 * types, enums, descriptions and required fields, without the limits (those stay in the check).
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { DRILL_TOOLS } from '../../src/main/analysts/drill'
import { PROPOSE_TOOL } from '../../src/main/analysts/pipeline'
import { MERGE_TOOL, MergeAnswerSchema } from '../../src/main/skills/rules/schema'
import { TOOL as VARIATIONS_TOOL } from '../../src/main/runs/variations'
import { EXPLAIN_TOOL } from '../../src/main/verify/explain'
import { toolInputSchema } from '../../src/shared/tool-schema'

describe('toolInputSchema', () => {
  it('keeps types, enums, descriptions and required fields, and leaves the limits to the check', () => {
    const schema = z.object({
      n: z.number().int().min(1).max(9).describe('a number'),
      words: z.array(z.string().min(3).max(80)).max(5).default([]).describe('some words'),
      maybe: z.string().max(3).nullish().describe('may be null'),
      either: z.union([z.number().int(), z.string()]),
      kind: z.enum(['a', 'b']).optional()
    })
    expect(toolInputSchema(schema)).toEqual({
      type: 'object',
      properties: {
        n: { type: 'integer', description: 'a number' },
        words: { type: 'array', items: { type: 'string' }, description: 'some words' },
        maybe: { type: 'string', description: 'may be null' },
        either: { type: ['integer', 'string'] },
        kind: { type: 'string', enum: ['a', 'b'] }
      },
      required: ['n', 'words', 'either']
    })
    // the limits still hold where the answer is checked
    expect(schema.safeParse({ n: 10, either: 1 }).success).toBe(false)
  })
})

describe("the tools' schemas, as the model is sent them", () => {
  it('propose_rules', () => {
    expect(PROPOSE_TOOL.input_schema).toEqual({
      type: 'object',
      properties: {
        rules: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              rule: { type: 'string', description: 'One imperative sentence.' },
              evidence: { type: 'array', items: { type: 'integer' }, description: 'Run numbers that show it.' },
              priority: { type: 'string', enum: ['high', 'medium', 'low'] },
              reason: { type: 'string', description: 'What the traces show, and where (run and line numbers).' },
              pointers: {
                type: 'array',
                description: 'Where it shows: a run and a line of its session file ([L<n>]), or a run and one of its output files.',
                items: {
                  type: 'object',
                  properties: { run: { type: 'integer' }, line: { type: 'integer' }, file: { type: 'string' } },
                  required: ['run']
                }
              },
              // optional: the why and a wrong/right example quoted from the runs
              why: {
                type: 'string',
                description: 'One short sentence: what happened in the runs that makes the rule matter (not a generic justification).'
              },
              example: {
                type: 'object',
                description: 'Only where a good and a bad run differ concretely: a short wrong/right pair quoted from them.',
                properties: {
                  wrong: { type: 'string', description: 'A few lines copied exactly from a file or command of a bad run.' },
                  right: { type: 'string', description: 'A few lines copied exactly from a file or command of a good run.' },
                  runs: { type: 'array', items: { type: 'integer' }, description: 'The runs the snippets are copied from.' }
                },
                required: ['runs']
              },
              // optional: a helper good runs wrote, named by file (its content is never the model's)
              script: {
                type: 'object',
                description:
                  'Only when two or more good runs wrote the same helper file (a check, a build step): the app bundles that real file.',
                properties: {
                  name: { type: 'string', description: 'A file name for scripts/, with its extension ("check-links.sh").' },
                  from: {
                    type: 'array',
                    description: 'Where good runs wrote this helper: each a run and the path of one of its output files.',
                    items: {
                      type: 'object',
                      properties: { run: { type: 'integer' }, file: { type: 'string' } },
                      required: ['run', 'file']
                    }
                  }
                },
                required: ['name', 'from']
              }
            },
            required: ['rule', 'evidence', 'priority', 'reason']
          }
        }
      },
      required: ['rules']
    })
  })

  it('report_rules (verify explain): lines is required though the check defaults it', () => {
    expect(EXPLAIN_TOOL.input_schema).toEqual({
      type: 'object',
      properties: {
        rules: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              rule_id: { type: 'string', description: 'the id in brackets before the rule, e.g. R3' },
              verdict: { type: 'string', enum: ['followed', 'ignored'] },
              why: { type: 'string', description: 'one or two sentences: what the agent did, and where' },
              lines: { type: 'array', items: { type: 'integer' }, description: 'the [L<n>] lines of the trace that show it' }
            },
            required: ['rule_id', 'verdict', 'why', 'lines']
          }
        }
      },
      required: ['rules']
    })
  })

  it('merge_rules: existing is offered as a string (null is still accepted), the ids as integer or string', () => {
    const s = MERGE_TOOL.input_schema as any // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(s.required).toEqual(['groups', 'contradictions', 'skill'])
    expect(s.properties.groups.items.required).toEqual(['members', 'wording'])
    expect(s.properties.groups.items.properties.why.type).toBe('string')
    expect(s.properties.groups.items.properties.existing).toEqual({
      type: 'string',
      description: 'the id (x1, x2, ...) of the existing rule this group says the same as (even with more added), if any'
    })
    expect(s.properties.contradictions.items.properties.a).toEqual({ type: ['integer', 'string'] })
    expect(s.properties.skill.required).toEqual(['name', 'description', 'title', 'whenToUse'])
    expect(
      MergeAnswerSchema.safeParse({
        groups: [{ members: ['a1'], wording: 'w', existing: null }],
        contradictions: [],
        skill: { name: 'n', description: 'd', title: 't', whenToUse: 'w' }
      }).success
    ).toBe(true)
  })

  it('the drill-down tools and propose_variations', () => {
    expect(DRILL_TOOLS.map((t) => [t.name, t.input_schema.required])).toEqual([
      ['read_trace', ['run']],
      ['read_output', ['run', 'path']],
      ['search_traces', ['pattern']],
      ['view_screenshot', ['run']]
    ])
    expect(DRILL_TOOLS[3].input_schema.properties).toEqual({
      run: { type: 'integer', description: 'The run number ("Run 3" is 3).' },
      label: { type: 'string', enum: ['desktop', 'mobile'] },
      page: { type: 'string', description: 'The HTML file, when the run has screenshots of several pages.' },
      part: { type: 'integer', description: 'Which part of a tall page, from 1 (default 1).' }
    })
    expect(VARIATIONS_TOOL.input_schema).toEqual({
      type: 'object',
      properties: {
        variations: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              difficulty: { type: 'string', enum: ['easy', 'normal', 'hard', 'adversarial'] },
              prompt: { type: 'string', description: 'A complete, self-contained prompt for Claude Code.' },
              // a near miss is marked as one (issue 20): optional, so the model may leave it out
              nearMiss: {
                type: 'boolean',
                description: 'true for a near-miss prompt: similar words, a different job, one the skill should not be used for'
              }
            },
            required: ['difficulty', 'prompt']
          }
        }
      },
      required: ['variations']
    })
  })
})
