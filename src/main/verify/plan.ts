/**
 * A verification's runs: each variation (and repeat) once in each arm, the arms interleaved in one
 * queue (pair by pair, or group by group for candidates, the order within drawn at random) so neither gets the quieter hour, and
 * numbered in a random order, so a run's number tells nothing about its arm. Pure; Electron-free.
 */
import { randomInt } from 'node:crypto'
import type { Run } from '../../shared/runs'
import { queuedRun } from '../runs/queued'
import type { Arm, Verification, VerifyVariation } from '../../shared/verify'

/** A whole number in [0, n): crypto's by default; tests pass a seeded one. */
export type RandomInt = (n: number) => number
export const cryptoInt: RandomInt = (n) => randomInt(n)

/** A seeded generator (mulberry32), for tests and the benchmark: the one seeded analyses use. */
export { seededInt } from '../../shared/shuffle'

/** 1..n in a random order (Fisher-Yates). */
export function shuffledNumbers(n: number, random: RandomInt): number[] {
  const out = Array.from({ length: n }, (_, i) => i + 1)
  for (let i = n - 1; i > 0; i--) {
    const j = random(i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

export interface PlannedVerification {
  /** in queue order: the runner starts them in this order */
  runs: Run[]
  arms: Verification['arms']
}

/** A run's place in a verification: its arm, variation, repeat and (a candidates verification's) candidate. */
export type Slot = Verification['arms'][string]

/**
 * The runs of a verification's batch: repeat by repeat, variation by variation, a group of runs (one
 * per arm: two, or, with `candidates` N, one per candidate and one with no skill) with the same prompt,
 * its order drawn at random; then every run gets a number from a random permutation.
 */
export function planVerificationRuns(
  batchId: string,
  variations: VerifyVariation[],
  repeats: number,
  random: RandomInt = cryptoInt,
  candidates = 0
): PlannedVerification {
  const slots: Slot[] = []
  for (let repeat = 1; repeat <= repeats; repeat++)
    variations.forEach((_, variation) => {
      if (candidates > 0) {
        const group: Slot[] = [
          ...Array.from({ length: candidates }, (_, candidate): Slot => ({ arm: 'with', variation, repeat, candidate })),
          { arm: 'without', variation, repeat }
        ]
        // the order within the group: a random permutation of it
        for (const n of shuffledNumbers(group.length, random)) slots.push(group[n - 1])
        return
      }
      const first: Arm = random(2) === 0 ? 'with' : 'without'
      slots.push({ arm: first, variation, repeat }, { arm: first === 'with' ? 'without' : 'with', variation, repeat })
    })
  const numbers = shuffledNumbers(slots.length, random)
  const arms: Verification['arms'] = {}
  const runs = slots.map((slot, i): Run => {
    // the deck shows no repeat either: every run of a group looks alike
    const run = queuedRun(
      batchId,
      numbers[i],
      { difficulty: variations[slot.variation].difficulty, prompt: variations[slot.variation].prompt },
      1
    )
    arms[run.id] = slot
    return run
  })
  return { runs, arms }
}
