/**
 * What the analysts are told of how a batch's runs were made (a verification's arms and pairs) is an
 * input of the analysis: the skills handlers read a batch's notes for each estimate, start and retry
 * (a retry after a restart rebuilds the context with them), and a failure to read them leaves them
 * out, logged, without stopping the analysis. Models are scripted ports: no network, no claude.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { createSkillsHandlers } from '../../src/main/app/skills-handlers'
import { blocksText, type ModelCall, type ModelPort } from '../../src/main/analysts/model'
import { Operations } from '../../src/main/operations/registry'
import { fixtureSessions } from '../support/fixture-sessions'

const usage = () => ({ input: 10, output: 10, cacheRead: 0, cacheCreation: 0 })

/** Every analyst proposes one rule; the merge keeps each alone. Each request's shared text is kept. */
function recordingPort(failing = new Set<string>()) {
  const seen: { tool: string; kind?: string; text: string }[] = []
  const port: ModelPort = {
    kind: 'api',
    async call(req: ModelCall, hooks) {
      hooks.onBegin?.()
      const kind = /You are the (\w+) analyst/.exec(req.instructions)?.[1]
      seen.push({ tool: req.tool.name, kind, text: blocksText(req.shared) })
      if (req.tool.name === 'propose_rules') {
        if (kind && failing.has(kind)) throw new Error(`the ${kind} analyst failed`)
        const rule = kind === 'edge' ? 'Before writing index.html, check the folder is empty' : `Run the build before finishing (${kind})`
        return {
          input: { rules: [{ rule, evidence: [1, 2, 3], priority: 'high', reason: 'runs 1-3' }] },
          usage: usage(),
          model: req.model,
          rounds: 0
        }
      }
      const ids = [...blocksText(req.shared).matchAll(/^(\S+) \[\w+\] runs/gm)].map((m) => m[1])
      return {
        input: {
          groups: ids.map((id) => ({ members: [id], wording: id })),
          contradictions: [],
          skill: { name: 'landing-page', description: 'd', title: 't', whenToUse: 'w' }
        },
        usage: usage(),
        model: req.model,
        rounds: 0
      }
    }
  }
  return { port, seen }
}

describe("a batch's notes are an input of the analysis", () => {
  let service: Service | undefined
  afterEach(async () => {
    await service?.dispose()
    service = undefined
  })

  async function setUp() {
    const configDir = await mkdtemp(join(tmpdir(), 't2s-notes-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-notes-data-'))
    const ids = await fixtureSessions(configDir, 3)
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test' })
    const batch = await service.handlers.importSessions({ name: 'Landing pages', sessions: ids.map((sessionId) => ({ sessionId })) })
    const { runs } = await service.handlers.getBatch({ batchId: batch.id })
    for (const r of runs)
      await service.handlers.saveFeedback({ runId: r.id, label: r.number <= 2 ? 'good' : 'bad', text: `run ${r.number}` })
    const s = service
    const lines: string[] = []
    /** the skills handlers as the app makes them, with this port and these notes */
    const handlers = (port: ModelPort, batchNotes?: (batchId: string) => Promise<string | undefined>) => {
      const operations = new Operations({ store: s.store })
      return {
        operations,
        ...createSkillsHandlers({
          store: s.store,
          emit: () => {},
          operations,
          readTrace: (sessionId, projectId) => s.handlers.getTrace({ sessionId, projectId }),
          apiAccess: async () => ({ apiKey: 'unused' }),
          env: {},
          port,
          batchNotes,
          log: pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) })
        })
      }
    }
    return { batchId: batch.id, handlers, lines }
  }

  it('the estimate, the start and a retry after a restart all read the notes of the batch', async () => {
    const { batchId, handlers } = await setUp()
    const asked: string[] = []
    const notes = async (id: string) => (asked.push(id), `NOTE: each variation ran with and without the skill (batch ${id}).`)
    const first = recordingPort(new Set(['success']))
    const app = handlers(first.port, notes)
    const without = await handlers(first.port).handlers.estimateAnalysis({ batchId })
    const withNotes = await app.handlers.estimateAnalysis({ batchId })
    // the notes are counted in the prompt the estimate prices
    expect(withNotes.contextTokens).toBeGreaterThan(without.contextTokens)
    const a = await app.handlers.startAnalysis({ batchId })
    await app.analyses.idle(a.id)
    const analysts = first.seen.filter((x) => x.tool === 'propose_rules')
    expect(analysts).toHaveLength(4)
    for (const x of analysts)
      expect(x.text).toContain(`# How these runs were made\nNOTE: each variation ran with and without the skill (batch ${batchId}).`)
    expect((await app.analyses.analysisOf(a.id)).analysts.find((s) => s.kind === 'success')!.state).toBe('failed')

    // a restart: nothing of the analysis in memory; the retry rebuilds the context, with the notes read again
    const second = recordingPort()
    const restarted = handlers(second.port, notes)
    asked.length = 0
    await restarted.handlers.retryAnalyst({ analysisId: a.id, kind: 'success' })
    await restarted.analyses.idle(a.id)
    expect(asked).toEqual([batchId])
    const retried = second.seen.filter((x) => x.tool === 'propose_rules')
    expect(retried.map((x) => x.kind)).toEqual(['success'])
    expect(retried[0].text).toContain(`(batch ${batchId}).`)
    expect((await restarted.analyses.analysisOf(a.id)).state).toBe('done')
  })

  it('notes that cannot be made are left out and logged; the analysis runs', async () => {
    const { batchId, handlers, lines } = await setUp()
    const { port, seen } = recordingPort()
    const app = handlers(port, async () => {
      throw new Error('the report could not be read')
    })
    const a = await app.handlers.startAnalysis({ batchId })
    await app.analyses.idle(a.id)
    expect((await app.analyses.analysisOf(a.id)).state).toBe('done')
    for (const x of seen.filter((s) => s.tool === 'propose_rules')) expect(x.text).not.toContain('How these runs were made')
    expect(lines.join('\n')).toMatch(/notes for the analysts could not be made/)
    expect(lines.join('\n')).toMatch(/the report could not be read/)
  })
})
