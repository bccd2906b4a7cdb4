/**
 * A scripted model port for the analysts and the merge that records every request (the order of the
 * runs each analyst read, the order of the rules the merge read), and a graded batch of imported
 * sessions with the skills handlers as the app makes them over it. No network, no claude.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createService, type Service } from '../../src/main/app/service'
import { createSkillsHandlers } from '../../src/main/app/skills-handlers'
import { blocksText, type ModelCall, type ModelPort } from '../../src/main/analysts/model'
import { Operations } from '../../src/main/operations/registry'
import { fixtureSessions } from './fixture-sessions'

export interface Seen {
  tool: string
  /** all the shared text the request held */
  text: string
  kind?: string
  model: string
  /** the runs in the order the request held them (their fences) */
  runs: number[]
  /** the merge: the rule ids in the order it read them */
  rules: string[]
}

export interface RecordingOptions {
  /** rules each analyst proposes (default 3), each citing runs 1-3 */
  rulesEach?: number
  /** this call fails (the model's error), by the request and how many were made before it */
  failWhen?: (req: ModelCall, index: number) => boolean
  /** each analyst's answer waits for this (a cancel test holds the analysis in flight) */
  hold?: (req: ModelCall, signal?: AbortSignal) => Promise<void>
}

const usage = () => ({ input: 1000, output: 100, cacheRead: 0, cacheCreation: 0 })

/** Every analyst proposes its rules; the merge keeps each alone, naming the skill after the merge model. */
export function recordingPort(o: RecordingOptions = {}) {
  const seen: Seen[] = []
  const port: ModelPort = {
    kind: 'api',
    async call(req: ModelCall, hooks, signal) {
      hooks.onBegin?.()
      const text = blocksText(req.shared)
      const kind = /You are the (\w+) analyst/.exec(req.instructions)?.[1]
      const index = seen.length
      seen.push({
        tool: req.tool.name,
        text,
        kind,
        model: req.model,
        runs: [...text.matchAll(/<<<RUN (\d+) DATA /g)].map((m) => Number(m[1])),
        rules: [...text.matchAll(/^(\S+) \[\w+\] runs/gm)].map((m) => m[1])
      })
      if (o.failWhen?.(req, index)) throw new Error(`the scripted model refused request ${index + 1}`)
      if (req.tool.name === 'propose_rules') {
        await o.hold?.(req, signal)
        signal?.throwIfAborted()
        const rules = Array.from({ length: o.rulesEach ?? 3 }, (_, i) => ({
          rule: kind === 'edge' ? `Before step ${i + 1}, verify the folder (${kind})` : `Rule ${i + 1} of the ${kind} analyst`,
          evidence: [1, 2, 3],
          priority: 'high',
          reason: 'runs 1-3'
        }))
        return { input: { rules }, usage: usage(), model: req.model, rounds: 0 }
      }
      if (req.tool.name === 'merge_rules') {
        const ids = [...text.matchAll(/^(\S+) \[\w+\] runs/gm)].map((m) => m[1])
        return {
          input: {
            groups: ids.map((id) => ({ members: [id], wording: `Keep ${id}` })),
            contradictions: [],
            skill: { name: `from-${req.model}`, description: `Learned with ${req.model}.`, title: 'Landing pages', whenToUse: 'w' }
          },
          usage: usage(),
          model: req.model,
          rounds: 0
        }
      }
      // the support check: every cited run confirms
      const asked = /Check these rules against run (\d+): ([R\d, ]+)\./.exec(req.instructions)
      return {
        input: {
          verdicts: (asked?.[2] ?? '')
            .split(',')
            .map((l) => l.trim())
            .filter(Boolean)
            .map((rule) => ({ rule, confirmed: true, reason: 'shown' }))
        },
        usage: usage(),
        model: req.model,
        rounds: 0
      }
    }
  }
  return { port, seen }
}

/** A batch of `runs` imported sessions, graded (the first half good), and a way to make the skills handlers over it with a port. */
export async function gradedBatch(runs: number, prefix: string) {
  const configDir = await mkdtemp(join(tmpdir(), `t2s-${prefix}-claude-`))
  const dataDir = await mkdtemp(join(tmpdir(), `t2s-${prefix}-data-`))
  const ids = await fixtureSessions(configDir, runs)
  const service: Service = await createService({ configDir, dataDir, mode: 'web', version: 'test' })
  const batch = await service.handlers.importSessions({ name: 'Landing pages', sessions: ids.map((sessionId) => ({ sessionId })) })
  for (const r of (await service.handlers.getBatch({ batchId: batch.id })).runs)
    await service.handlers.saveFeedback({ runId: r.id, label: r.number <= runs / 2 ? 'good' : 'bad', text: `run ${r.number}` })
  /** the skills handlers as the app makes them (a new one: as after a restart), with this port */
  const handlers = (port: ModelPort, batchNotes?: (batchId: string) => Promise<string | undefined>) => {
    const operations = new Operations({ store: service.store })
    return {
      operations,
      ...createSkillsHandlers({
        store: service.store,
        emit: () => {},
        operations,
        readTrace: (sessionId, projectId) => service.handlers.getTrace({ sessionId, projectId }),
        apiAccess: async () => ({ apiKey: 'unused' }),
        env: {},
        port,
        batchNotes
      })
    }
  }
  return { service, batchId: batch.id, handlers }
}
