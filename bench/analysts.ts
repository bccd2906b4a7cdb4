/**
 * Analysts benchmark: 20 recorded runs (real `claude -p` sessions against the scripted model),
 * imported, graded and analysed by the four analysts through the service, against a scripted API
 * that bills like the real one with prompt caching. Three figures:
 *   1. input tokens billed at full price with the caching scheme, as a ratio to four independent
 *      requests without caching (target at most 0.45);
 *   2. the condensed context's size against the raw traces;
 *   3. the four analysts' wall time as a ratio to the slowest one alone (target at most 1.3).
 */
import { mkdtemp, readdir, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createService } from '../src/main/app/service'
import { DEFAULT_ANALYST_MODEL } from '../src/main/analysts/service'
import { apiModel } from '../src/main/analysts/model'
import { AnalystFleet } from '../src/main/analysts/pipeline'
import type { AnalystKind, ProposedRule } from '../src/shared/skills'
import { analystScript, kindOf } from '../test/support/analyst-script'
import { generateSessions } from '../test/support/claude-harness'
import { startModelServer, type ModelServer, type Reply, type Script } from '../test/support/model-server'

const SCENARIOS = ['write-file', 'write-cluttered', 'tool-errors', 'long', 'subagent']
const RUNS = 20
const MODEL = DEFAULT_ANALYST_MODEL

/** The scripted API's latency: a fixed time to first token, prefill of the uncached input, then output. */
const FIRST_TOKEN_MS = 300
const PREFILL_TOKENS_PER_S = 20_000
const OUTPUT_TOKENS_PER_S = 150

/** Prices relative to base input: cache writes 1.25x, cache reads 0.1x. */
const CACHE_WRITE = 1.25
const CACHE_READ = 0.1

const tokensOf = (v: unknown) => Math.ceil(JSON.stringify(v ?? '').length / 4)

interface Billed {
  index: number
  tool: string
  kind: AnalystKind | null
  input: number
  cacheCreation: number
  cacheRead: number
  output: number
}

/**
 * Wraps a script so the server reports usage as the real API does with prompt caching: the first
 * request with a given prefix (tools, system, first user content blocks up to the cache_control
 * marker) writes it; a later one with a byte-identical prefix that arrives after the writer's
 * answer has begun reads it. Adds latency: time to first token plus prefill, then output streamed
 * at a fixed rate.
 */
function cachingApi(inner: Script, serverOf: () => ModelServer) {
  const cache = new Map<string, number>() // prefix -> index of the request that wrote it
  const billed: Billed[] = []
  const script: Script = async (req) => {
    const body = req.body
    const messages: any[] = body?.messages ?? [] // eslint-disable-line @typescript-eslint/no-explicit-any
    const first = messages[0]
    const blocks: any[] = Array.isArray(first?.content) ? first.content : [] // eslint-disable-line @typescript-eslint/no-explicit-any
    const marker = blocks.findLastIndex((b) => b?.cache_control)
    const prefixParts = marker >= 0 ? [body.tools ?? null, body.system ?? null, blocks.slice(0, marker + 1)] : null
    const restParts = marker >= 0 ? [blocks.slice(marker + 1), messages.slice(1)] : [body.tools ?? null, body.system ?? null, messages]
    const prefixTokens = prefixParts ? tokensOf(prefixParts) : 0
    const restTokens = tokensOf(restParts)
    let cacheRead = 0
    let cacheCreation = 0
    if (prefixParts) {
      const key = JSON.stringify([body.model, body.tool_choice ?? null, ...prefixParts])
      const writer = cache.get(key)
      const requests = serverOf().requests
      const w = writer === undefined ? undefined : requests[writer]
      const me = requests[req.index]
      if (w && w.status === 200 && w.firstByteAt !== undefined && w.firstByteAt <= me.receivedAt) cacheRead = prefixTokens
      else {
        cacheCreation = prefixTokens
        if (!w || (w.status !== undefined && w.status !== 200)) cache.set(key, req.index)
      }
    }
    const reply = await inner(req)
    if (reply.error) return reply
    const content = reply.toolUses
      ? reply.toolUses.map((t) => ({ type: 'tool_use', name: t.name, input: t.input }))
      : [{ type: 'text', text: reply.text ?? '' }]
    const output = tokensOf(content)
    // events streamed: message_start, block start, the deltas (200 chars of JSON each), block stop, message_delta, message_stop
    const deltas = reply.toolUses
      ? reply.toolUses.reduce((n, t) => n + Math.ceil(JSON.stringify(t.input ?? {}).length / 200) + 2, 0)
      : Math.ceil((reply.text?.length ?? 0) / 40) + 2
    const events = deltas + 3
    const usage = {
      input_tokens: restTokens,
      cache_creation_input_tokens: cacheCreation,
      cache_read_input_tokens: cacheRead,
      output_tokens: output
    }
    const tool = body?.tool_choice?.name ?? body?.tools?.[0]?.name ?? ''
    billed.push({
      index: req.index,
      tool,
      kind: tool === 'propose_rules' ? kindOf(body) : null,
      input: restTokens,
      cacheCreation,
      cacheRead,
      output
    })
    const prefillMs = ((restTokens + cacheCreation) / PREFILL_TOKENS_PER_S) * 1000
    return {
      ...reply,
      usage,
      delayMs: FIRST_TOKEN_MS + prefillMs + (reply.delayMs ?? 0),
      chunkDelayMs: ((output / OUTPUT_TOKENS_PER_S) * 1000) / events
    } as Reply
  }
  return { script, billed, reset: () => cache.clear() }
}

/** Rules the scripted analysts propose, citing the runs of each scenario. */
function analystRules(runsOf: (scenario: string) => number[]): Record<AnalystKind, ProposedRule[]> {
  const r = (rule: string, scenario: string | string[], priority: 'high' | 'medium' | 'low', reason: string): ProposedRule => {
    const evidence = [scenario].flat().flatMap(runsOf)
    return {
      rule,
      evidence,
      priority,
      reason: `${reason} Seen in runs ${evidence.join(', ')}.`,
      pointers: evidence.map((run) => ({ run, line: 4 }))
    }
  }
  return {
    error: [
      r(
        'Check that a file exists before reading it; do not guess configuration paths.',
        'tool-errors',
        'high',
        'Every run graded bad opened /definitely/not/here/config.json first, got "file does not exist", and never recovered the missing configuration.'
      ),
      r(
        'Read the exit code of the build and stop to report when it fails instead of carrying on.',
        'tool-errors',
        'high',
        'The build command exited with 3 and the agent went on to list an output folder that was never created, so the second error followed from the first.'
      ),
      r(
        'List a folder only after confirming it exists.',
        'tool-errors',
        'medium',
        'ls /no/such/dir failed in each of these runs right after the failed build.'
      ),
      r(
        'Never put more than three cards on the page.',
        'write-cluttered',
        'high',
        'The bad pages have twelve cards with yellow backgrounds and "Buy now!!!" text; the person called them cluttered.'
      )
    ],
    success: [
      r(
        'Write index.html in a single Write call with the whole page, then read it back once to check it.',
        'write-file',
        'high',
        'Every run graded good wrote the complete page in one call at the first step and read it back at the second, with no other tool calls and no errors.'
      ),
      r(
        'Keep the page to a header with one call to action and three short cards.',
        'write-file',
        'high',
        'The good pages have a blue header with the title, a one-line pitch and "Get started", then three cards: Fast, Safe and Green, one sentence each.'
      ),
      r(
        'Use a calm palette: one accent colour on the header, dark text on white elsewhere.',
        'write-file',
        'medium',
        'The good pages use #2b59c3 for the header only and #1d2433 for text; the bad ones use a red header and yellow cards.'
      ),
      r(
        'Keep generous padding around the header (about 64px) so the page breathes.',
        'write-file',
        'medium',
        'The good pages pad the header 64px 32px; the cluttered ones cut it to 12px, and the person named the crowding.'
      ),
      r(
        'Finish with one sentence saying what was written and where.',
        'write-file',
        'low',
        'Each good run ended with "Wrote index.html: a landing page with a header and three cards." and nothing more.'
      ),
      r(
        'Do not look around the workspace before writing when the task names the file to create.',
        ['write-file', 'write-cluttered'],
        'medium',
        'The good runs wrote index.html directly; the cluttered ones started with ls, which found nothing useful and only added a step.'
      ),
      r(
        'Write the styles inline in a single <style> block in the head.',
        'write-file',
        'low',
        'The good pages carry all of their CSS in one style block of four rules, so the page is one self-contained file.'
      )
    ],
    structure: [
      r(
        'Take three steps: write the deliverable, verify it, summarise.',
        'write-file',
        'high',
        'The good runs finish in three turns; the long runs take 28 tool calls for the same kind of task.'
      ),
      r(
        'Do not hand a one-command survey to a sub-agent; run ls yourself.',
        'subagent',
        'medium',
        'Each sub-agent ran a single echo and reported "nothing unusual", costing a whole sub-agent session.'
      ),
      r(
        'Do not write progress notes to files unless asked.',
        'long',
        'medium',
        'The long runs left notes-3.txt, notes-7.txt and more in the workspace, which the person did not ask for.'
      )
    ],
    edge: [
      r(
        'Before reading a configuration file, verify it exists with Glob.',
        'tool-errors',
        'high',
        'The missing config.json is the first failure of every run graded bad for errors.'
      ),
      r(
        'If the build exits non-zero, report the exit code and stop.',
        'tool-errors',
        'high',
        'Exit code 3 was followed by more failing commands in each of these runs.'
      )
    ]
  }
}

async function sessionBytes(configDir: string, ids: string[]): Promise<{ main: number; subagents: number; files: number }> {
  const out = { main: 0, subagents: 0, files: 0 }
  const root = join(configDir, 'projects')
  for (const rel of await readdir(root, { recursive: true })) {
    if (!rel.endsWith('.jsonl')) continue
    const id = ids.find((s) => rel.includes(s))
    if (!id) continue
    const size = (await stat(join(root, rel))).size
    out.files++
    if (rel.endsWith(`${id}.jsonl`)) out.main += size
    else out.subagents += size
  }
  return out
}

export async function benchAnalysts() {
  const configDir = await mkdtemp(join(tmpdir(), 't2s-bench-analysts-claude-'))
  const dataDir = await mkdtemp(join(tmpdir(), 't2s-bench-analysts-data-'))
  const scenarios = Array.from({ length: RUNS }, (_, i) => SCENARIOS[i % SCENARIOS.length])
  console.log(`Analysts: recording ${RUNS} real claude -p sessions (${SCENARIOS.join(', ')})…`)
  const g0 = performance.now()
  const { sessions } = await generateSessions(configDir, scenarios)
  console.log(`  ${sessions.length} sessions (${((performance.now() - g0) / 1000).toFixed(1)} s)`)
  const bytes = await sessionBytes(
    configDir,
    sessions.map((s) => s.sessionId)
  )
  // run numbers follow the import order
  const runsOf = (scenario: string) => sessions.flatMap((s, i) => (s.scenario === scenario ? [i + 1] : []))
  const rules = analystRules(runsOf)

  // eslint-disable-next-line prefer-const -- the API above reads it once the server exists
  let server!: ModelServer
  const api = cachingApi(
    analystScript({
      error: { rules: rules.error },
      success: { rules: rules.success },
      structure: { rules: rules.structure },
      edge: { rules: rules.edge }
    }),
    () => server
  )
  server = await startModelServer(api.script)
  const service = await createService({
    configDir,
    dataDir,
    mode: 'web',
    version: 'bench',
    env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: server.url }
  })
  try {
    const batch = await service.handlers.importSessions({
      name: 'Landing pages (bench)',
      sessions: sessions.map((s) => ({ sessionId: s.sessionId }))
    })
    const { runs } = await service.handlers.getBatch({ batchId: batch.id })
    for (const r of runs) {
      const scenario = sessions.find((s) => s.sessionId === r.sessionId)!.scenario
      await service.handlers.saveFeedback({
        runId: r.id,
        label: scenario === 'write-file' ? 'good' : 'bad',
        text: scenario === 'write-file' ? 'Clean page, three cards.' : `Not what I asked for (${scenario}).`
      })
    }
    console.log('Analysts: four analysts and the merge against the caching API…')
    const t0 = performance.now()
    let analysis = await service.handlers.startAnalysis({ batchId: batch.id, model: MODEL })
    await service.analysisIdle(analysis.id)
    const clientSeconds = (performance.now() - t0) / 1000
    analysis = await service.handlers.getAnalysis({ analysisId: analysis.id })
    if (analysis.state !== 'done') throw new Error(`analysis ended ${analysis.state}: ${analysis.warnings.join('; ')}`)
    const failed = analysis.analysts.filter((a) => a.state !== 'done')
    if (failed.length) throw new Error(`analysts failed: ${failed.map((a) => `${a.kind}: ${a.error}`).join('; ')}`)

    const four = api.billed.filter((b) => b.tool === 'propose_rules')
    if (four.length !== 4) throw new Error(`expected 4 analyst requests, saw ${four.length}`)
    const recs = four.map((b) => server.requests[b.index])
    const timing = four.map((b, i) => ({ ...b, ms: recs[i].endedAt! - recs[i].receivedAt, startMs: recs[i].receivedAt }))
    const wallMs = Math.max(...recs.map((r) => r.endedAt!)) - Math.min(...recs.map((r) => r.receivedAt))

    // 1. billed at full price
    const full = (b: Billed) => b.input + b.cacheCreation * CACHE_WRITE + b.cacheRead * CACHE_READ
    const all = (b: Billed) => b.input + b.cacheCreation + b.cacheRead
    const withScheme = four.reduce((n, b) => n + full(b), 0)
    const independent = four.reduce((n, b) => n + all(b), 0)

    // 3. the slowest analyst alone: same server, same shared context, a cold cache
    const slowest = timing.reduce((a, b) => (b.ms > a.ms ? b : a))
    const slowBody = server.requests[slowest.index].body
    api.reset()
    const before = server.requests.length
    const fleet = new AnalystFleet({
      port: apiModel({ apiKey: 'test-key', baseURL: server.url }),
      model: MODEL,
      shared: slowBody.messages[0].content[0].text,
      runNumbers: new Set(analysis.runNumbers),
      kinds: [slowest.kind!],
      onStatus: () => {}
    })
    const s0 = performance.now()
    const solo = await fleet.run()
    const soloClientMs = performance.now() - s0
    if (solo.get(slowest.kind!)!.state !== 'done')
      throw new Error(`the ${slowest.kind} analyst alone failed: ${solo.get(slowest.kind!)!.error}`)
    const soloRec = server.requests.slice(before).find((r) => r.body?.tool_choice?.name === 'propose_rules')!
    if (JSON.stringify(soloRec.body.messages) !== JSON.stringify(slowBody.messages))
      throw new Error('the solo analyst did not send the same request')
    const soloMs = soloRec.endedAt! - soloRec.receivedAt

    const ctx = analysis.context
    const result = {
      runs: ctx.runs,
      sessionBytes: bytes.main,
      subagentBytes: bytes.subagents,
      analysts: timing.map((t) => ({
        kind: t.kind,
        input: t.input,
        cacheCreation: t.cacheCreation,
        cacheRead: t.cacheRead,
        output: t.output,
        billedFull: full(t),
        startMs: t.startMs - Math.min(...timing.map((x) => x.startMs)),
        ms: t.ms
      })),
      appUsage: analysis.analysts.map((a) => ({ kind: a.kind, ...a.usage })),
      billedWithScheme: withScheme,
      billedIndependent: independent,
      billedRatio: withScheme / independent,
      contextTokens: ctx.tokens,
      rawTokens: ctx.rawTokens,
      contextRatio: ctx.tokens / ctx.rawTokens,
      contextLevel: ctx.level,
      wallMs,
      slowest: slowest.kind,
      slowestAloneMs: soloMs,
      slowestAloneClientMs: soloClientMs,
      wallRatio: wallMs / soloMs,
      analysisClientSeconds: clientSeconds,
      latencyModel: { firstTokenMs: FIRST_TOKEN_MS, prefillTokensPerS: PREFILL_TOKENS_PER_S, outputTokensPerS: OUTPUT_TOKENS_PER_S }
    }

    console.log(
      `\n${ctx.runs} recorded runs (${SCENARIOS.join(', ')}); scripted API: ${FIRST_TOKEN_MS} ms to first token + prefill at ${PREFILL_TOKENS_PER_S / 1000}k tok/s of uncached input, output at ${OUTPUT_TOKENS_PER_S} tok/s\n`
    )
    console.log('| analyst | starts at | input | cache write | cache read | output | billed at full price | time |')
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
    for (const a of result.analysts)
      console.log(
        `| ${a.kind} | +${a.startMs.toFixed(0)} ms | ${a.input} | ${a.cacheCreation} | ${a.cacheRead} | ${a.output} | ${a.billedFull.toFixed(0)} | ${a.ms.toFixed(0)} ms |`
      )
    console.log('\n| analysts benchmark | value |\n|---|---:|')
    console.log(`| input tokens billed at full price, with the caching scheme | ${withScheme.toFixed(0)} |`)
    console.log(`| input tokens, four independent requests without caching | ${independent} |`)
    console.log(`| ratio (target <= 0.45) | ${result.billedRatio.toFixed(3)} |`)
    console.log(
      `| raw session files (${bytes.files} files) | ${(bytes.main / 1024).toFixed(0)} KB main + ${(bytes.subagents / 1024).toFixed(0)} KB sub-agents |`
    )
    console.log(`| raw traces (analysis.context.rawTokens) | ${ctx.rawTokens} tokens |`)
    console.log(`| condensed context (analysis.context.tokens, cut level ${ctx.level}) | ${ctx.tokens} tokens |`)
    console.log(`| condensed / raw | ${result.contextRatio.toFixed(3)} (${(ctx.rawTokens / ctx.tokens).toFixed(1)}x smaller) |`)
    console.log(`| four analysts, wall (first request in to last answer out) | ${wallMs.toFixed(0)} ms |`)
    console.log(`| slowest analyst (${slowest.kind}) alone, cold cache | ${soloMs.toFixed(0)} ms |`)
    console.log(`| wall / slowest alone (target <= 1.3) | ${result.wallRatio.toFixed(3)} |`)
    console.log(`| whole analysis incl. merge, as the app saw it | ${clientSeconds.toFixed(2)} s |`)
    return result
  } finally {
    await service.dispose()
    await server.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchAnalysts().then(
    () => process.exit(0),
    (e) => {
      console.error(e)
      process.exit(1)
    }
  )
}
