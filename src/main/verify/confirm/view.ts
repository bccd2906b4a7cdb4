/** A confirmation's results: each rule under test with its status and the runs behind it. Pure; Electron-free. */
import { confirmResults, type ConfirmResults } from '../../../shared/confirm'
import { isFinished, type Run } from '../../../shared/runs'
import type { Verification } from '../../../shared/verify'

export function confirmOf(v: Verification, runs: Run[]): ConfirmResults {
  const list = runs.flatMap((r) => {
    const slot = v.arms[r.id]
    if (!slot?.rule || !slot.expect) return []
    const label = isFinished(r.state) ? (r.feedback?.label ?? null) : null
    return [
      {
        rule: slot.rule,
        runId: r.id,
        number: r.number,
        expect: slot.expect,
        variation: slot.variation,
        prompt: r.prompt,
        state: r.state,
        label
      }
    ]
  })
  return confirmResults(v.version, v.confirm?.rules ?? [], list)
}
