/**
 * A confirmation's runs: per rule under test, its bad variations (expect 'fix') and its good ones
 * (expect 'keep'), each once, the rules interleaved in one queue (round by round, a rule's own runs in
 * a random order) so no rule gets the quieter hour, and numbered in a random order, so a run's number
 * tells nothing of its rule. Pure; Electron-free.
 */
import type { Run } from '../../../shared/runs'
import type { Verification } from '../../../shared/verify'
import { queuedRun } from '../../runs/queued'
import { shuffledNumbers, type PlannedVerification, type RandomInt } from '../plan'

type Slot = Verification['arms'][string]

const shuffled = <T>(xs: T[], random: RandomInt): T[] => {
  const out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = random(i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

export function planConfirmRuns(batchId: string, v: Pick<Verification, 'confirm' | 'variations'>, random: RandomInt): PlannedVerification {
  const perRule = (v.confirm?.rules ?? []).map((r) =>
    shuffled(
      [
        ...r.fix.map((variation): Slot => ({ arm: 'with', variation, repeat: 1, rule: r.id, expect: 'fix' })),
        ...r.keep.map((variation): Slot => ({ arm: 'with', variation, repeat: 1, rule: r.id, expect: 'keep' }))
      ],
      random
    )
  )
  const slots: Slot[] = []
  for (let round = 0; perRule.some((xs) => xs.length > round); round++) for (const xs of perRule) if (xs[round]) slots.push(xs[round])
  const numbers = shuffledNumbers(slots.length, random)
  const arms: Verification['arms'] = {}
  const runs = slots.map((slot, i): Run => {
    const x = v.variations[slot.variation]
    const run = queuedRun(batchId, numbers[i], { difficulty: x.difficulty, prompt: x.prompt }, 1)
    arms[run.id] = slot
    return run
  })
  return { runs, arms }
}
