/**
 * The verify benchmark's scripted model, in a process of its own (so its work, parsing every request
 * of 80 `claude` runs, does not count as the app's): test/support/verify-script.ts (a run calls the
 * Skill tool when the skill is listed, then writes a good or a cluttered page; the analysts of the
 * learning batch), each run's step answered after a fixed model latency. Talks to the benchmark over
 * IPC: it says where it listens, and answers for its requests by kind and its own CPU time.
 */
import { startModelServer, type Script } from '../test/support/model-server'
import { verifyScript } from '../test/support/verify-script'

/** Model latency per step of a run (as in the runs benchmark). */
export const STEP_DELAY_MS = Number(process.env.BENCH_STEP_DELAY_MS ?? 150)

export type VerifyApiAsk = { id: number; type: 'state' }
export interface VerifyApiState {
  /** requests answered, by kind (run, analyst, merge, other) */
  kinds: Record<string, number>
  /** this process's CPU seconds so far */
  cpuSeconds: number
}

const rule = (text: string, evidence: number[]) => ({
  rule: text,
  evidence,
  priority: 'high' as const,
  reason: `runs ${evidence.join(', ')}`
})

async function child() {
  const inner = verifyScript({
    analysts: {
      error: { rules: [rule('Keep the page to three cards', [1, 2])] },
      success: { rules: [rule('Read the brief before writing the page', [1, 3])] }
    }
  })
  const kinds: Record<string, number> = {}
  const script: Script = async (req) => {
    // the inner script records the request's kind before its first await: read it at once
    const n = inner.requests.length
    const pending = inner(req)
    const kind = inner.requests[n]?.kind ?? 'other'
    kinds[kind] = (kinds[kind] ?? 0) + 1
    const reply = await pending
    return kind === 'run' ? { ...reply, delayMs: STEP_DELAY_MS } : reply
  }
  const server = await startModelServer(script)
  process.on('message', (m: VerifyApiAsk) => {
    if (m.type === 'state') {
      const cpu = process.cpuUsage()
      process.send!({ id: m.id, kinds, cpuSeconds: (cpu.user + cpu.system) / 1e6 } satisfies VerifyApiState & { id: number })
    }
  })
  process.send!({ url: server.url })
}

if (process.send && process.env.BENCH_VERIFY_API) void child()
