/**
 * The grader says when it is unsure (issue 22), with the real SDK against a scripted grader: `sure:
 * false` in its answer (with what leaves the doubt), or its own verdicts contradicting its label (good
 * with an assertion that applies failed; bad with every one that applies passed), gives a grade marked
 * unsure with why; a sure answer, and an answer of a grader from before (no `sure`), give a sure grade.
 * The tool the model is sent asks for `sure`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiModel } from '../../src/main/analysts/model'
import { GRADE_TOOL, gradeRun, type RunToGrade } from '../../src/main/grading/grade'
import type { Assertion } from '../../src/shared/grading'
import { RunGradeSchema } from '../../src/shared/grading'
import { startModelServer, type ModelServer } from '../support/model-server'

const ASSERTIONS: Assertion[] = [
  { id: 'a-1', text: 'At most one call-to-action button above the fold', runs: [1], by: 'model' },
  { id: 'a-2', text: 'No grid of more than four cards', runs: [2], by: 'model' },
  { id: 'a-3', text: 'The pricing table has three tiers', runs: [3], by: 'person' }
]
const RUN: RunToGrade = { id: 'run-1', number: 1, prompt: 'Build a landing page', result: 'done', outputs: [], images: [] }

let answer: Record<string, unknown> = {}
let server: ModelServer
beforeAll(async () => {
  server = await startModelServer(() => ({ toolUses: [{ name: 'grade_output', input: answer }] }))
})
afterAll(async () => {
  await server?.close()
})

const verdicts = (...vs: ('pass' | 'fail' | 'n/a')[]) =>
  vs.map((verdict, i) => ({ assertion_id: `A${i + 1}`, verdict, evidence: `the page, for A${i + 1}` }))
async function grade(input: Record<string, unknown>) {
  answer = input
  const port = apiModel({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 })
  return (await gradeRun(port, 'claude-test', RUN, ASSERTIONS, new AbortController().signal)).grade
}

describe('sure or unsure, from the answer', () => {
  it('asks the model whether it is sure (a required field, described)', () => {
    const props = GRADE_TOOL.input_schema.properties as Record<string, { type?: string; description?: string }>
    expect(GRADE_TOOL.input_schema.required).toContain('sure')
    expect(props.sure.type).toBe('boolean')
    expect(props.sure.description).toMatch(/screenshot that does not show what an assertion needs/)
    expect(props.sure.description).toMatch(/borderline/)
  })

  it('a sure answer whose verdicts agree with its label is a sure grade', async () => {
    const good = await grade({ verdicts: verdicts('pass', 'pass', 'n/a'), label: 'good', reason: 'clean page', sure: true })
    expect(good.label).toBe('good')
    expect(good.unsure).toBeUndefined()
    const bad = await grade({ verdicts: verdicts('pass', 'fail', 'n/a'), label: 'bad', reason: 'eight cards', sure: true })
    expect(bad.unsure).toBeUndefined()
  })

  it('sure: false is an unsure grade, with what leaves the doubt', async () => {
    const g = await grade({
      verdicts: verdicts('pass', 'pass', 'pass'),
      label: 'good',
      reason: 'looks fine',
      sure: false,
      doubt: 'the screenshot is cut above the pricing table'
    })
    expect(g.label).toBe('good')
    expect(g.unsure).toEqual({ why: 'the grader was unsure: the screenshot is cut above the pricing table' })
    const bare = await grade({ verdicts: verdicts('pass', 'pass', 'pass'), label: 'good', reason: 'looks fine', sure: false })
    expect(bare.unsure).toEqual({ why: 'the grader said it was unsure' })
  })

  it('an answer from before (no `sure`) reads as sure, as an old record does', async () => {
    const g = await grade({ verdicts: verdicts('pass', 'n/a', 'pass'), label: 'good', reason: 'clean page' })
    expect(g.unsure).toBeUndefined()
    // a grade kept before this issue (no `unsure`) still reads
    const old = RunGradeSchema.parse({ runId: 'r', number: 1, label: 'good', reason: 'x', verdicts: [] })
    expect(old.unsure).toBeUndefined()
  })
})

describe('unsure from its own contradictions', () => {
  it('good with a failed assertion that applies is unsure, naming it', async () => {
    const g = await grade({ verdicts: verdicts('pass', 'fail', 'n/a'), label: 'good', reason: 'fine overall', sure: true })
    expect(g.unsure).toEqual({ why: 'it graded good, yet A2 failed' })
  })

  it('bad with every assertion that applies passed is unsure (n/a ones aside)', async () => {
    const g = await grade({ verdicts: verdicts('pass', 'n/a', 'pass'), label: 'bad', reason: 'feels off', sure: true })
    expect(g.unsure).toEqual({ why: 'it graded bad, yet no assertion that applies failed' })
  })

  it('both: what the grader said and the contradiction', async () => {
    const g = await grade({
      verdicts: verdicts('fail', 'fail', 'pass'),
      label: 'good',
      reason: 'ok',
      sure: false,
      doubt: 'borderline'
    })
    expect(g.unsure?.why).toBe('the grader was unsure: borderline; it graded good, yet A1, A2 failed')
  })
})
