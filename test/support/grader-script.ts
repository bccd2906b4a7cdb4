/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * A scripted rubric writer and grader for the Messages API on loopback. A rubric request is answered
 * with one assertion naming the runs whose sentences it was given (so the rubric carries where it came
 * from into the grading requests); a grade request with a verdict for every assertion, and the label
 * `labelOf` gives the run, flipped on the runs in `wrong`; on the runs in `unsure` the grader says it is
 * not sure (`sure: false`, with a doubt).
 */
import type { Reply } from './model-server'

export const textOf = (body: any): string =>
  (body.messages?.[0]?.content ?? [])
    .filter((b: any) => b.type === 'text')
    .map((b: any) => b.text)
    .join('\n')
export const toolOf = (body: any): string | undefined => body.tool_choice?.name

export function graderScript(labelOf: (run: number) => 'good' | 'bad', wrong: Set<number> = new Set(), unsure: Set<number> = new Set()) {
  return (req: { body: any }): Reply => {
    const text = textOf(req.body)
    if (toolOf(req.body) === 'write_rubric') {
      const runs = [...text.matchAll(/Run (\d+): (good|bad)/g)].map((m) => Number(m[1]))
      return {
        toolUses: [{ name: 'write_rubric', input: { assertions: [{ text: `learned from runs ${runs.join(',')}`, runs, from: 'both' }] } }]
      }
    }
    const n = Number(text.match(/# The task the agent was given \(Run (\d+)\)/)![1])
    const keys = [...text.matchAll(/^\[(A\d+)\] /gm)].map((m) => m[1])
    const right = labelOf(n)
    const label = wrong.has(n) ? (right === 'good' ? 'bad' : 'good') : right
    return {
      toolUses: [
        {
          name: 'grade_output',
          input: {
            verdicts: keys.map((k) => ({ assertion_id: k, verdict: label === 'good' ? 'pass' : 'fail', evidence: `page ${n}'s hero` })),
            label,
            reason: `run ${n} looks ${label}`,
            ...(unsure.has(n) ? { sure: false, doubt: `the screenshot of run ${n} is cut above the fold` } : {})
          }
        }
      ]
    }
  }
}
