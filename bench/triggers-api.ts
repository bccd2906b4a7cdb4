/**
 * The triggers benchmark's scripted model, in a process of its own (its work is not the app's):
 * test/support/trigger-script.ts (a run loads the skill when its description shares enough of the
 * prompt's words, then writes a file and answers), each step answered after a fixed model latency.
 * Talks to the benchmark over IPC: where it listens, and the requests it answered by step.
 */
import { startModelServer } from '../test/support/model-server'
import { triggerScript } from '../test/support/trigger-script'
import { STEP_DELAY_MS } from './verify-api'

/** The Writes a scripted run makes before it answers (1: the shortest run that does the work). */
export const WORK_STEPS = Number(process.env.BENCH_TRIGGERS_WORK_STEPS ?? 1)

export type TriggersApiAsk = { id: number; type: 'state' }
export interface TriggersApiState {
  /** requests answered, by the step answered (skill, write, answer) */
  steps: Record<string, number>
}

async function child() {
  const script = triggerScript({ delayMs: () => STEP_DELAY_MS, workSteps: WORK_STEPS })
  const server = await startModelServer(script)
  process.on('message', (m: TriggersApiAsk) => {
    if (m.type !== 'state') return
    const steps: Record<string, number> = {}
    for (const r of script.requests) steps[r.step] = (steps[r.step] ?? 0) + 1
    process.send!({ id: m.id, steps } satisfies TriggersApiState & { id: number })
  })
  process.send!({ url: server.url })
}

if (process.send && process.env.BENCH_TRIGGERS_API) void child()
