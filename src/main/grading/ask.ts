/**
 * One forced tool call through the analysts' model port whose answer is checked (schema, then what the
 * caller checks); a bad answer is asked for once more with the problem stated, as the app's other model
 * calls do. Electron-free.
 */
import { fail } from '../../shared/contract'
import type { ModelCall, ModelPort } from '../analysts/model'
import { costUsd } from '../traces/pricing'

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string }

export interface Asked<T> {
  value: T
  costUsd: number
  /** calls made: 1, or 2 after a retry */
  calls: number
}

/** Ask; check; once more with the problem if the answer does not fit; a clear error ('bad-answer') if it still does not. */
export async function askChecked<T>(
  port: ModelPort,
  req: ModelCall,
  check: (input: unknown) => Checked<T>,
  signal: AbortSignal,
  /** what is asked for, for the error ("the rubric") */
  what: string
): Promise<Asked<T>> {
  let cost = 0
  let problem = ''
  for (let attempt = 1; attempt <= 2; attempt++) {
    signal.throwIfAborted()
    const instructions =
      attempt === 1
        ? req.instructions
        : `${req.instructions}\n\nYour previous answer was rejected: ${problem}. Call ${req.tool.name} again with an answer that fixes this.`
    const res = await port.call({ ...req, instructions }, {}, signal)
    cost += res.costUsd ?? costUsd(req.model, res.usage)
    const checked = check(res.input)
    if (checked.ok) return { value: checked.value, costUsd: cost, calls: attempt }
    problem = checked.problem
  }
  throw Object.assign(fail(`The model's answer for ${what} was rejected twice (${problem}).`, 'bad-answer'), { costUsd: cost })
}

/** The first problem of a zod error, in one line. */
export const zodProblem = (e: { issues: { path: PropertyKey[]; message: string }[] }) => {
  const i = e.issues[0]
  return `the answer does not fit the schema (${i?.path.map(String).join('.') || 'top level'}: ${i?.message})`
}
