/**
 * An analysis as an operation: one AbortSignal reaches every model call (the merge's too), and what it
 * was started with (the Claude Code path) is kept for a retry, also after a restart. Models are scripted
 * ports: no network, no claude.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { blocksText, type ModelCall, type ModelPort } from '../../src/main/analysts/model'
import type { Usage } from '../../src/shared/trace'
import { fixtureSessions } from '../support/fixture-sessions'

const usage = (): Usage => ({ input: 10, output: 10, cacheRead: 0, cacheCreation: 0 })
const rule = (text: string, evidence: number[]) => ({
  rule: text,
  evidence,
  priority: 'high' as const,
  reason: `runs ${evidence.join(', ')}`
})

/** Analysts answer at once; the merge waits until it is aborted, or until the test lets it answer. */
function heldMergePort() {
  let mergeStarted!: () => void
  const started = new Promise<void>((r) => (mergeStarted = r))
  let release!: () => void
  const released = new Promise<void>((r) => (release = r))
  const seen = { mergeAborted: false, mergeCalls: 0 }
  const port: ModelPort = {
    kind: 'api',
    async call(req: ModelCall, hooks, signal) {
      hooks.onBegin?.()
      if (req.tool.name === 'propose_rules') {
        const kind = /You are the (\w+) analyst/.exec(req.instructions)?.[1]
        const rules =
          kind === 'edge'
            ? [rule('Before writing index.html, check the folder is empty', [1, 2])]
            : [rule('Run the build before finishing', [1, 2, 3])]
        return { input: { rules }, usage: usage(), model: req.model, rounds: 0 }
      }
      seen.mergeCalls++
      mergeStarted()
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          seen.mergeAborted = true
          reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }))
        }
        if (signal.aborted) return onAbort()
        signal.addEventListener('abort', onAbort, { once: true })
        void released.then(resolve)
      })
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
  return { port, started, release, seen }
}

async function gradedBatch(service: Service, ids: string[]) {
  const batch = await service.handlers.importSessions({ name: 'Landing pages', sessions: ids.map((sessionId) => ({ sessionId })) })
  const { runs } = await service.handlers.getBatch({ batchId: batch.id })
  for (const r of runs) await service.handlers.saveFeedback({ runId: r.id, label: r.number <= 2 ? 'good' : 'bad', text: `run ${r.number}` })
  return batch.id
}

describe('an analysis is one operation', () => {
  let service: Service | undefined
  afterEach(async () => {
    await service?.dispose()
    service = undefined
  })

  it("cancelling during the merge aborts the merge's model call: the analysis ends cancelled and no skill is saved", async () => {
    const configDir = await mkdtemp(join(tmpdir(), 't2s-op-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-op-data-'))
    const ids = await fixtureSessions(configDir, 3)
    const held = heldMergePort()
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test', analystPort: held.port })
    const batchId = await gradedBatch(service, ids)
    const a = await service.handlers.startAnalysis({ batchId })
    await held.started
    expect((await service.handlers.getAnalysis({ analysisId: a.id })).state).toBe('merging')
    expect(await service.handlers.cancelAnalysis({ analysisId: a.id })).toEqual({ cancelled: true })
    // had the cancel not reached the merge, it answers now
    held.release()
    await service.analysisIdle(a.id)
    expect(held.seen.mergeAborted).toBe(true)
    const after = await service.handlers.getAnalysis({ analysisId: a.id })
    expect(after.state).toBe('cancelled')
    expect(after.skillId).toBeUndefined()
    expect(await service.handlers.listSkills({})).toEqual([])
    // the operation says so too, with what it was started with
    const ops = async (kind: 'analysis' | 'merge') =>
      Promise.all(service!.store.operations.about(a.id, kind).map((id) => service!.store.operations.get(id)))
    const [analysisOp] = await ops('analysis')
    const [mergeOp] = await ops('merge')
    expect(analysisOp).toMatchObject({ state: 'cancelled', params: { batchId, via: 'api' } })
    expect(mergeOp).toMatchObject({ state: 'cancelled', parentId: analysisOp!.id })
  })

  it('a retry runs the analyst with the Claude Code path the analysis was started with, also after a restart', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 't2s-op-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-op-data-'))
    const ids = await fixtureSessions(configDir, 3)
    // no `claude` on this PATH: a retry that forgot the path would fail naming plain `claude`
    const env = { PATH: join(dataDir, 'no-bin-here') }
    const claudePath = join(dataDir, 'my-claude', 'claude')
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env })
    const batchId = await gradedBatch(service, ids)
    const a = await service.handlers.startAnalysis({ batchId, via: 'claude-cli', claudePath })
    await service.analysisIdle(a.id)
    const first = await service.handlers.getAnalysis({ analysisId: a.id })
    expect(first.state).toBe('failed')
    for (const s of first.analysts) expect(s.error).toContain(claudePath)

    await service.handlers.retryAnalyst({ analysisId: a.id, kind: 'error' })
    await service.analysisIdle(a.id)
    expect((await service.handlers.getAnalysis({ analysisId: a.id })).analysts.find((s) => s.kind === 'error')).toMatchObject({
      attempt: 2
    })
    expect((await service.handlers.getAnalysis({ analysisId: a.id })).analysts.find((s) => s.kind === 'error')!.error).toContain(claudePath)

    await service.dispose()
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env })
    await service.handlers.retryAnalyst({ analysisId: a.id, kind: 'success' })
    await service.analysisIdle(a.id)
    const after = await service.handlers.getAnalysis({ analysisId: a.id })
    expect(after.analysts.find((s) => s.kind === 'success')!.error).toContain(claudePath)
  })
})
