/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * The analysts see what the person saw. A batch with planted facts (test/support/planted.ts), each
 * where a condensed context loses it: deep in a written file, mid-way through a 200-step run, only in
 * a sub-agent, only in the screenshots. Through the real SDK against the scripted API, every fact is
 * in the shared prefix, or came back from a drill-down tool the scripted analyst called; the prefix
 * is byte-identical for the four and cache-marked; rounds are bounded; bad calls get clear errors.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Jimp } from 'jimp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_MAX_ROUNDS } from '../../src/main/analysts/drill'
import { createService, type Service } from '../../src/main/app/service'
import type { Analysis } from '../../src/shared/analysis'
import { analystScript, isAnalystRequest, kindOf } from '../support/analyst-script'
import { startModelServer, type ModelServer, type Script } from '../support/model-server'
import { addPlanted, FACTS, plantedFiles, SHOT_COLOURS } from '../support/planted'

const rule = (text: string, evidence: number[]) => ({ rule: text, evidence, priority: 'high', reason: `runs ${evidence.join(', ')}` })

/** The error analyst looks closer in three rounds (good calls, then bad ones); structure never stops looking; the others answer at once. */
const ERROR_PLAN = [
  [
    { name: 'read_trace', input: { run: 3, from_line: 300, to_line: 306 } },
    { name: 'read_output', input: { run: 2, path: 'index.html' } }
  ],
  [
    { name: 'search_traces', input: { pattern: 'PLANTED-SUBAGENT' } },
    { name: 'view_screenshot', input: { run: 6 } }
  ],
  [
    { name: 'read_trace', input: { run: 99 } },
    { name: 'read_trace', input: { run: 3, from_line: 9000, to_line: 9100 } },
    { name: 'read_output', input: { run: 2, path: '../../../etc/passwd' } },
    { name: 'view_screenshot', input: { run: 1, label: 'mobile' } },
    { name: 'search_traces', input: { pattern: '  ' } }
  ]
]

function script(): Script {
  const merge = analystScript({})
  return (req) => {
    const body = req.body
    if (!isAnalystRequest(body)) return merge(req)
    const kind = kindOf(body)
    const round = body.messages.filter((m: any) => m.role === 'assistant').length
    const answer = (rules: unknown[]) => ({ toolUses: [{ name: 'propose_rules', input: { rules } }] })
    if (kind === 'error') {
      if (round < ERROR_PLAN.length) return { toolUses: ERROR_PLAN[round] }
      return answer([rule('Check the port is free before starting the dev server', [3, 4])])
    }
    if (kind === 'structure') {
      const last = body.messages[body.messages.length - 1]
      const told = JSON.stringify(last.content).includes('No rounds left')
      if (!told) return { toolUses: [{ name: 'search_traces', input: { pattern: `step-${round}` } }] }
      return answer([rule('Write the page before previewing it', [1, 5])])
    }
    return answer(
      kind === 'edge' ? [rule('Before adding cards, check there are at most three', [2])] : [rule('Keep the colours quiet', [1, 5])]
    )
  }
}

const firstRequests = (server: ModelServer) =>
  server.requests.filter((r) => isAnalystRequest(r.body) && r.body.messages.length === 1 && r.status === 200)
/** The shared prefix of a request: its first message without the analyst's own instructions (its last block). */
const prefixOf = (body: any) => body.messages[0].content.slice(0, -1)
const textOf = (blocks: any[]) => blocks.map((b) => (b.type === 'text' ? b.text : '')).join('\n')
/** Every tool_result block of a request, flattened to text (images as "[image]"). */
const toolResults = (body: any) =>
  body.messages
    .slice(1)
    .filter((m: any) => m.role === 'user')
    .flatMap((m: any) => m.content)
    .filter((b: any) => b.type === 'tool_result')

async function setup(model: string, resultChars?: number, mobile?: boolean) {
  const server = await startModelServer(script())
  const configDir = await mkdtemp(join(tmpdir(), 't2s-evidence-claude-'))
  const dataDir = await mkdtemp(join(tmpdir(), 't2s-evidence-data-'))
  const planted = await plantedFiles(configDir, dataDir, { resultChars })
  const service = await createService({
    configDir,
    dataDir,
    mode: 'web',
    version: 'test',
    env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: server.url }
  })
  await addPlanted(service, planted)
  const preparing: string[] = []
  service.hub.subscribe((event, payload) => {
    const p = (payload as { analysis?: Analysis }).analysis?.preparing
    if (event === 'analysisProgress' && p && preparing[preparing.length - 1] !== p) preparing.push(p)
  })
  const estimate = await service.handlers.estimateAnalysis({ batchId: planted.batchId, model, ...(mobile ? { mobile } : {}) })
  let analysis = await service.handlers.startAnalysis({ batchId: planted.batchId, model, ...(mobile ? { mobile } : {}) })
  await service.analysisIdle(analysis.id)
  analysis = await service.handlers.getAnalysis({ analysisId: analysis.id })
  return { server, service, analysis, estimate, preparing }
}

describe('with room in the window: full evidence, outputs and screenshots in the shared prefix', () => {
  let server: ModelServer
  let service: Service
  let analysis: Analysis
  let estimate: Awaited<ReturnType<Service['handlers']['estimateAnalysis']>>
  let preparing: string[]

  beforeAll(async () => {
    ;({ server, service, analysis, estimate, preparing } = await setup('claude-sonnet-5-5'))
  }, 120_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('puts every planted fact in the shared prefix, which is byte-identical for the four and cache-marked', () => {
    expect(analysis.state).toBe('done')
    const firsts = firstRequests(server)
    expect(firsts.map((r) => kindOf(r.body)).sort()).toEqual(['edge', 'error', 'structure', 'success'])
    const prefixes = new Set(firsts.map((r) => JSON.stringify({ tools: r.body.tools, system: r.body.system, prefix: prefixOf(r.body) })))
    expect(prefixes.size).toBe(1)
    const prefix = prefixOf(firsts[0].body)
    expect(prefix[prefix.length - 1].cache_control).toEqual({ type: 'ephemeral' })
    expect(prefix.slice(0, -1).every((b: any) => !b.cache_control)).toBe(true)
    const text = textOf(prefix)
    for (const fact of Object.values(FACTS)) expect(text).toContain(fact)
    expect(text).toContain('Nothing was cut')
    expect(analysis.context.report).toMatchObject({ cuts: [], images: 6, outputFiles: 6 })
    expect(analysis.context.report!.window).toBe(1_000_000)
  })

  it('shows the screenshots as real PNG image blocks: same text, different styling, different pixels', async () => {
    const prefix = prefixOf(firstRequests(server)[0].body)
    const images = prefix.filter((b: any) => b.type === 'image')
    expect(images).toHaveLength(6)
    for (const img of images) {
      expect(img.source.media_type).toBe('image/png')
      expect(Buffer.from(img.source.data, 'base64').subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    }
    // each image follows the line that names its run
    const colourOf = async (run: number) => {
      const at = prefix.findIndex((b: any) => b.type === 'text' && b.text.startsWith(`Run ${run}, desktop screenshot`))
      expect(at).toBeGreaterThan(0)
      const img = await Jimp.read(Buffer.from(prefix[at + 1].source.data, 'base64'))
      expect(img.width * img.height).toBeLessThanOrEqual(1600 * 750)
      return img.getPixelColor(Math.floor(img.width / 2), Math.floor(img.height * 0.8))
    }
    expect(await colourOf(5)).toBe(SHOT_COLOURS.calm)
    expect(await colourOf(6)).toBe(SHOT_COLOURS.loud)
  })

  it('lets an analyst look closer: each tool returns the fact, after the same prefix, with a moving cache marker', () => {
    const errorReqs = server.requests.filter((r) => isAnalystRequest(r.body) && kindOf(r.body) === 'error' && r.status === 200)
    expect(errorReqs).toHaveLength(ERROR_PLAN.length + 1)
    const first = JSON.stringify(errorReqs[0].body.messages[0])
    for (const r of errorReqs) expect(JSON.stringify(r.body.messages[0])).toBe(first)
    const last = errorReqs[errorReqs.length - 1].body
    const results = toolResults(last)
    const resultText = JSON.stringify(results)
    expect(resultText).toContain(FACTS.midError)
    expect(resultText).toContain(FACTS.deepFile)
    expect(resultText).toContain(FACTS.subagent)
    expect(results.some((r: any) => Array.isArray(r.content) && r.content.some((c: any) => c.type === 'image'))).toBe(true)
    // only the newest results carry the second marker
    const marked = results.filter((r: any) => r.cache_control)
    expect(marked).toHaveLength(1)
    expect(marked[0]).toBe(results[results.length - 1])
    const byKind = Object.fromEntries(analysis.analysts.map((a) => [a.kind, a]))
    expect(byKind.error.rounds).toBe(ERROR_PLAN.length)
    expect(byKind.error.looks).toContain("Run 3's trace, lines 300-306")
    expect(byKind.error.looks).toContain("Run 2's file index.html")
  })

  it('answers a call naming a run, line or file that does not exist with a clear tool error, not a crash', () => {
    const last = server.requests.filter((r) => isAnalystRequest(r.body) && kindOf(r.body) === 'error').pop()!.body
    const errors = toolResults(last).filter((r: any) => r.is_error)
    const text = JSON.stringify(errors)
    expect(errors).toHaveLength(5)
    expect(text).toContain('There is no Run 99 in this analysis: the runs are 1-6.')
    expect(text).toMatch(/Run 3's session has lines 1-\d+; 9000-9100 is outside them/)
    expect(text).toContain('Run 2 left no file named \\"../../../etc/passwd\\"; its files: index.html.')
    expect(text).toContain('Run 1 has no mobile screenshot')
    expect(text).toContain('Give a pattern to search for.')
    expect(analysis.analysts.find((a) => a.kind === 'error')!.state).toBe('done')
  })

  it('bounds the rounds: an analyst that keeps looking is told to answer, and does', () => {
    const reqs = server.requests.filter((r) => isAnalystRequest(r.body) && kindOf(r.body) === 'structure')
    expect(reqs.length).toBe(DEFAULT_MAX_ROUNDS + 2)
    const structure = analysis.analysts.find((a) => a.kind === 'structure')!
    expect(structure).toMatchObject({ state: 'done', rounds: DEFAULT_MAX_ROUNDS, maxRounds: DEFAULT_MAX_ROUNDS })
    expect(JSON.stringify(reqs[reqs.length - 1].body.messages.slice(-1))).toContain('No rounds left (6 used)')
  })

  it('says how far the evidence is before the analysts start, then leaves the line to them', () => {
    expect(preparing[0]).toBe('Preparing the evidence of 6 runs: screenshots 0 of 6…')
    expect(preparing).toContain('Preparing the evidence of 6 runs: screenshots 6 of 6…')
    expect(analysis.preparing).toBeUndefined()
  })

  it('estimates before, including images and rounds, and reports the cost of each analyst after', () => {
    expect(estimate.report).toMatchObject({ cuts: [], images: 6, outputFiles: 6 })
    expect(estimate.report.imageTokens).toBeGreaterThan(6 * 1000)
    expect(estimate.rounds).toEqual({ expected: 3, max: DEFAULT_MAX_ROUNDS, tokensPerRound: 6000 })
    expect(estimate.usd).toBeGreaterThan(0)
    expect(estimate.basis).toMatch(/3 rounds of looking closer/)
    for (const a of analysis.analysts) expect(a.costUsd).toBeGreaterThan(0)
  })
})

describe('with a small window: cuts in order, reported, and drill-down finds what was cut', () => {
  let server: ModelServer
  let service: Service
  let analysis: Analysis

  beforeAll(async () => {
    // 200 steps of 4,000-character results do not fit a 200k window at full fidelity
    ;({ server, service, analysis } = await setup('claude-sonnet-4-6', 4000))
  }, 120_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it('cuts only as far as needed, in the documented order, and says which runs', () => {
    expect(analysis.state).toBe('done')
    const report = analysis.context.report!
    expect(report.window).toBe(200_000)
    expect(report.textTokens + report.imageTokens).toBeLessThanOrEqual(report.budget)
    const steps = report.cuts.map((c) => c.step)
    // the first cut is the file contents the agent wrote (run 2's long page: also among its final files)
    expect(steps[0]).toBe('inputs')
    expect(report.cuts[0].runs).toEqual([2])
    expect(steps).toContain('results')
    expect(steps).toContain('outputs')
    expect(report.cuts.find((c) => c.step === 'results')!.runs).toContain(3)
    expect(report.cuts.find((c) => c.step === 'outputs')!.runs).toEqual([2])
    const prefix = textOf(prefixOf(firstRequests(server)[0].body))
    expect(prefix).toContain("To fit the model's window, the evidence was cut, in this order:")
  })

  it('every planted fact is in the prefix or came back from a drill-down the analyst called', () => {
    const prefix = textOf(prefixOf(firstRequests(server)[0].body))
    const last = server.requests.filter((r) => isAnalystRequest(r.body) && kindOf(r.body) === 'error').pop()!.body
    const drilled = JSON.stringify(toolResults(last))
    // the long file was cut to head and tail: its middle came back whole from read_output
    expect(prefix).not.toContain(FACTS.deepFile)
    expect(drilled).toContain(FACTS.deepFile)
    for (const fact of Object.values(FACTS)) expect(prefix.includes(fact) || drilled.includes(fact)).toBe(true)
    // the error in the middle of the 200 steps stays in the prefix: errors are never left out
    expect(prefix).toContain(FACTS.midError)
  })
})

describe('mobile screenshots, when asked for', () => {
  let server: ModelServer
  let service: Service
  let analysis: Analysis
  let estimate: Awaited<ReturnType<Service['handlers']['estimateAnalysis']>>

  beforeAll(async () => {
    ;({ server, service, analysis, estimate } = await setup('claude-sonnet-5-5', undefined, true))
  }, 120_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  it("shows run 6's mobile screenshot beside the desktop ones, and counts it before and after", () => {
    expect(analysis).toMatchObject({ state: 'done', mobile: true })
    expect(estimate.report.images).toBe(7)
    expect(analysis.context.report!.images).toBe(7)
    const prefix = prefixOf(firstRequests(server)[0].body)
    expect(prefix.filter((b: any) => b.type === 'image')).toHaveLength(7)
    const at = prefix.findIndex((b: any) => b.type === 'text' && b.text.startsWith('Run 6, mobile screenshot'))
    expect(prefix[at + 1].type).toBe('image')
  })
})
