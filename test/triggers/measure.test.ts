/**
 * Measuring a description with the real `claude` and a scripted model that loads a skill only when its
 * description shares enough of the prompt's words (test/support/trigger-words.ts): recall and the
 * false-trigger rate equal hand counts; each query run is stopped at its decision (the model is asked
 * once per run: no Write ever goes back to it), its turns, tokens and cost counted; the folders and
 * sessions of the runs are gone afterwards. Cancel ends every run at once; a second measurement of the
 * same skill is refused while one runs; a measurement a stopped app left running is interrupted at the
 * next start, its leftover folders removed.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { descendants, RUN_MARKER } from '../../src/main/base/processes'
import { queryRunsRoot } from '../../src/main/triggers/query-run'
import { scoresOf, type TriggerMeasure, type TriggerQuery } from '../../src/shared/triggers'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { triggerScript } from '../support/trigger-script'
import { plantTriggerSkill } from '../support/trigger-skill'
import { loads } from '../support/trigger-words'

const NAME = 'landing-page'
const DESCRIPTION = 'Build a landing page for a small business: hero section, three cards, a call to action.'
const SETTINGS = { claudePath: CLAUDE_BIN, permission: 'accept-edits' as const, concurrency: 2 }
const q = (id: string, prompt: string, should: boolean): TriggerQuery => ({ id, prompt, should, source: 'person' })
const QUERIES = [
  q('s1', 'Build a landing page for a bakery', true),
  q('s2', 'I need a landing page for my bike shop', true),
  q('s3', 'Make a hero section with three cards for a florist', true),
  q('s4', 'Put together a website for a dentist', true),
  q('s5', 'Design a homepage for a yoga studio', true),
  q('n1', 'Fix the typo in the landing page README', false),
  q('n2', 'Write an email announcing our new bakery', false),
  q('n3', 'Translate the business plan into French', false)
]

/** This process's descendants that belong to a run (they carry the run marker; `ps`, run to list them, does not). */
async function runProcesses(): Promise<number[]> {
  const out: number[] = []
  for (const pid of await descendants(process.pid)) {
    const env = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')
    if (env.split('\0').some((v) => v.startsWith(`${RUN_MARKER}=`))) out.push(pid)
  }
  return out
}

const settled = (service: Service, skillId: string) => service.operations.whenSettled('triggers', skillId)
const measureOf = async (service: Service, skillId: string, id: string) => (await service.store.triggers.get(skillId))!.measures[id]

describe('measuring a description through the real claude', () => {
  let server: ModelServer
  let service: Service
  let dataDir: string
  let configDir: string
  let skillId: string
  const script = triggerScript()

  beforeAll(async () => {
    server = await startModelServer(script)
    const dir = await mkdtemp(join(tmpdir(), 't2s-triggers-'))
    configDir = join(dir, 'claude')
    dataDir = join(dir, 'data')
    await mkdir(configDir, { recursive: true })
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: claudeEnv(configDir, server.url) })
    ;({ skillId } = await plantTriggerSkill(service, { name: NAME, description: DESCRIPTION }))
    await service.handlers.saveTriggerQueries({ skillId, queries: QUERIES })
  })
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('recall and the false-trigger rate equal the hand counts, each run stopped at its decision with its cost counted', async () => {
    const events: TriggerMeasure[] = []
    const off = service.hub.subscribe((event, payload) => {
      if (event === 'triggersProgress') events.push(structuredClone((payload as { measure: TriggerMeasure }).measure))
    })
    const before = script.requests.length
    const started = await service.handlers.measureTriggers({ skillId, repeats: 2, settings: SETTINGS })
    expect(started.state).toBe('running')
    expect(started.total).toBe(QUERIES.length * 2)
    await settled(service, skillId)
    off()
    const m = await measureOf(service, skillId, started.id)
    expect(m.state).toBe('done')
    expect(m.done).toBe(16)

    // by hand: the rule of trigger-words.ts on each prompt
    const loadsHere = (x: TriggerQuery) => loads(DESCRIPTION, x.prompt)
    const should = QUERIES.filter((x) => x.should)
    const near = QUERIES.filter((x) => !x.should)
    expect(should.filter(loadsHere).length).toBe(3)
    expect(near.filter(loadsHere).length).toBe(1)
    const s = scoresOf(m.results)
    expect(s.recall).toBeCloseTo(should.filter(loadsHere).length / should.length)
    expect(s.falseRate).toBeCloseTo(near.filter(loadsHere).length / near.length)

    for (const r of m.results) {
      const x = QUERIES.find((y) => y.id === r.queryId)!
      expect(r.decisions).toHaveLength(2)
      for (const d of r.decisions) {
        // loaded, or the work started without it (the scripted run's first move is a Write)
        expect(d.kind, x.prompt).toBe(loadsHere(x) ? 'loaded' : 'other-tool')
        if (d.kind === 'other-tool') expect(d.tool).toBe('Write')
        expect(d.turns).toBeGreaterThanOrEqual(1)
        expect(d.turns).toBeLessThanOrEqual(2)
        expect(d.tokens).toBeGreaterThan(1000)
        expect(d.usd).toBeGreaterThan(0)
      }
    }
    const sum = m.results.flatMap((r) => r.decisions).reduce((a, d) => a + d.usd, 0)
    expect(m.usd).toBeCloseTo(sum, 5)

    // stopped at the decision: the model was asked once per run, never after a tool ran
    const asked = script.requests.slice(before)
    expect(asked).toHaveLength(16)
    expect(asked.every((r) => r.step !== 'answer')).toBe(true)
    expect(asked.every((r) => !JSON.stringify(r.body.messages).includes('tool_result'))).toBe(true)
    for (const x of QUERIES) expect(asked.filter((r) => r.prompt === x.prompt)).toHaveLength(2)

    // progress went to the screens as decisions came, the last one the final state
    expect(events.length).toBeGreaterThanOrEqual(2)
    expect(events[events.length - 1].state).toBe('done')
    // the runs left nothing: no folder, no session in the config folder, no process
    expect((await readdir(queryRunsRoot(dataDir)).catch(() => [])).length).toBe(0)
    expect(existsSync(join(configDir, 'projects')) ? await readdir(join(configDir, 'projects')) : []).toEqual([])
    expect(await runProcesses()).toEqual([])

    // the page's view: newest first, with the estimate now from what was measured
    const view = await service.handlers.getTriggers({ skillId })
    expect(view.measures[0].id).toBe(m.id)
    expect(view.description).toBe(DESCRIPTION)
    const est = await service.handlers.estimateTriggers({ skillId, repeats: 3 })
    expect(est.basis).toBe('measured')
    expect(est.decisions).toBe(QUERIES.length * 3)
    expect(est.usd).toBeCloseTo((sum / 16) * QUERIES.length * 3, 3)
  })

  it('cancel ends every run at once; a second measurement is refused while one runs', async () => {
    const slow = triggerScript({ delayMs: () => 120_000 })
    const slowServer = await startModelServer(slow)
    const dir = await mkdtemp(join(tmpdir(), 't2s-triggers-cancel-'))
    const cfg = join(dir, 'claude')
    await mkdir(cfg, { recursive: true })
    const svc = await createService({
      configDir: cfg,
      dataDir: join(dir, 'data'),
      mode: 'web',
      version: 'test',
      env: claudeEnv(cfg, slowServer.url)
    })
    try {
      const { skillId: id } = await plantTriggerSkill(svc, { name: NAME, description: DESCRIPTION })
      await svc.handlers.saveTriggerQueries({ skillId: id, queries: QUERIES })
      const started = await svc.handlers.measureTriggers({ skillId: id, repeats: 1, settings: SETTINGS })
      await expect(svc.handlers.measureTriggers({ skillId: id, settings: SETTINGS })).rejects.toMatchObject({ code: 'busy' })
      // both runs at once are waiting on the model
      await expect.poll(() => slow.requests.length, { timeout: 60_000, interval: 100 }).toBe(2)
      expect((await runProcesses()).length).toBeGreaterThan(0)
      expect(await svc.handlers.cancelTriggers({ skillId: id })).toEqual({ cancelled: true })
      const m = await measureOf(svc, id, started.id)
      expect(m.state).toBe('cancelled')
      const decisions = m.results.flatMap((r) => r.decisions)
      expect(decisions.map((d) => d.kind)).toEqual(['cancelled', 'cancelled'])
      // the six never started: no run, no request
      expect(slow.requests).toHaveLength(2)
      expect(await runProcesses()).toEqual([])
      expect((await readdir(queryRunsRoot(join(dir, 'data'))).catch(() => [])).length).toBe(0)
      expect(await svc.handlers.cancelTriggers({ skillId: id })).toEqual({ cancelled: false })
    } finally {
      await svc.dispose()
      await slowServer.close()
    }
  })

  it('a measurement left running by a stopped app is interrupted at the next start, its folders removed', async () => {
    const m: TriggerMeasure = {
      id: 'left-running',
      skillId,
      name: NAME,
      description: DESCRIPTION,
      repeats: 1,
      state: 'running',
      startedAt: new Date().toISOString(),
      results: [],
      done: 0,
      total: 8,
      usd: 0,
      rivals: []
    }
    await service.store.triggers.putMeasure(m)
    const leftover = join(queryRunsRoot(dataDir), 'some-run', 'work')
    await mkdir(leftover, { recursive: true })
    await writeFile(join(leftover, 'answer.md'), 'left')
    await service.dispose()
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: claudeEnv(configDir, server.url) })
    const after = await measureOf(service, skillId, m.id)
    expect(after.state).toBe('interrupted')
    expect(after.endedAt).toBeTruthy()
    expect(existsSync(queryRunsRoot(dataDir))).toBe(false)
    expect(service.store.triggers.running()).toEqual([])
  })

  it('refuses an empty set before anything runs', async () => {
    await service.handlers.saveTriggerQueries({ skillId, queries: [] })
    await expect(service.handlers.measureTriggers({ skillId, settings: SETTINGS })).rejects.toThrow(/query set is empty/)
    await service.handlers.saveTriggerQueries({ skillId, queries: QUERIES })
  })
})
