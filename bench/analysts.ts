/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * Analysts benchmark: 20 runs of realistic size (bench/analysts-corpus.ts: about 40 tool calls, 20-50 KB
 * of final files and one tall desktop screenshot each) analysed through the service (createService, the
 * real SDK) against the scripted Messages API (test/support/model-server.ts). The scripted analysts look
 * closer in 2-3 rounds (read_trace, read_output, search_traces, view_screenshot) before they answer; the
 * server bills like the real API with prompt caching (text and images, the moving marker on tool
 * results) and answers with a latency that grows with the uncached input and the output. Figures:
 *   1. the shared prefix's tokens (text and images), and the estimate against the billed cost;
 *   2. the cost with caching against four independent conversations without it (target at most 0.45);
 *   3. drill-down rounds used per analyst;
 *   4. the whole analysis's wall time (four analysts, then the merge) against the slowest analyst alone
 *      (target at most 1.3): an AnalystFleet of that one kind with the same shared blocks and drill-down,
 *      a cold cache, each analyst in turn (BENCH_ALONE=predicted: only the one the latency model predicts slowest).
 *   5. what the rules' why and examples and the support check add (issue 20): the check's own bill
 *      and span (one cheap call per cited run, after the merge) and the why/example part of the
 *      analysts' answers (its output tokens, priced, and streamed by the analyst that ended last),
 *      against the same analysis without them (target at most 1.3x in cost and in wall time). The
 *      SKILL.md made is written to .bench/analysts-SKILL.md.
 * The scripted API runs in a child process (bench/analysts-api.ts) so its own work does not load the app.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createService, type Service } from '../src/main/app/service'
import { createDrillDown } from '../src/main/analysts/drill'
import { loadOutputs, loadShots, type RunEvidence } from '../src/main/analysts/evidence'
import { apiModel, type PromptBlock } from '../src/main/analysts/model'
import { AnalystFleet } from '../src/main/analysts/pipeline'
import { DEFAULT_ANALYST_MODEL } from '../src/shared/models'
import { costUsd } from '../src/main/traces/pricing'
import { parseSessionFile } from '../src/main/traces/parse'
import { ANALYSTS, type AnalystKind } from '../src/shared/skills'
import {
  analystRules,
  CACHED_PREFILL_TOKENS_PER_S,
  FIRST_TOKEN_MS,
  lookCloser,
  OUTPUT_TOKENS_PER_S,
  PREFILL_TOKENS_PER_S,
  TIME_SCALE,
  type ApiAsk,
  type Billed,
  type RunsOf,
  type Timing
} from './analysts-api'
import { addBatch, writeBatch, type BenchBatch } from './analysts-corpus'
import { forkApi } from './child'

const RUNS = Number(process.env.BENCH_ANALYST_RUNS ?? 20)
const MODEL = DEFAULT_ANALYST_MODEL

/** The evidence the drill-down reads, as the service loads it (for the analyst alone). */
async function evidenceOf(service: Service, batch: BenchBatch): Promise<RunEvidence[]> {
  return Promise.all(
    batch.runs.map(async (r, i) => ({
      number: r.number,
      prompt: r.prompt,
      label: null,
      feedback: '',
      state: r.state,
      result: r.result,
      trace: await parseSessionFile(batch.info[i].file),
      metrics: null,
      workspace: r.workspace,
      outputs: await loadOutputs(r),
      shots: await loadShots(r, join(service.store.dataDir, 'runs', r.id, 'screenshots'))
    }))
  )
}

/** The shared blocks of an analyst's first request, back as prompt blocks (the last block is its own instructions). */
function sharedOf(body: any): PromptBlock[] {
  const blocks: any[] = body.messages[0].content
  return blocks
    .slice(0, -1)
    .map((b) =>
      b.type === 'image' ? { type: 'image', mediaType: 'image/png', data: b.source.data, label: '' } : { type: 'text', text: b.text }
    )
}

/** The scripted API in its own process (bench/analysts-api.ts), and how to ask it things. */
async function startApi(batch: BenchBatch) {
  const api = await forkApi(
    'analysts-api.ts',
    { BENCH_API_RUNS: JSON.stringify(batch.info.map((i) => ({ kind: i.kind, number: i.number }))) },
    'the scripted API'
  )
  const ask = <T>(q: { type: ApiAsk['type']; index?: number }) => api.ask<T>(q)
  return {
    url: api.url,
    reset: () => ask<void>({ type: 'reset' }),
    state: () => ask<{ billed: Billed[]; timings: Timing[] }>({ type: 'state' }),
    body: async (index: number) => (await ask<{ body: any }>({ type: 'body', index })).body,
    close: api.close
  }
}

const usd = (x: number) => `$${x.toFixed(3)}`
const k = (x: number) => `${(x / 1000).toFixed(1)}k`

export async function benchAnalysts() {
  const t00 = performance.now()
  const configDir = await mkdtemp(join(tmpdir(), 't2s-bench-analysts-claude-'))
  const dataDir = await mkdtemp(join(tmpdir(), 't2s-bench-analysts-data-'))
  console.log(`Analysts: writing ${RUNS} runs (sessions, final files, screenshots)…`)
  const g0 = performance.now()
  const batch = await writeBatch(configDir, dataDir, RUNS)
  const genSeconds = (performance.now() - g0) / 1000
  const runsOf: RunsOf = (kinds) => batch.info.filter((i) => [kinds].flat().includes(i.kind)).map((i) => i.number)
  const plan = lookCloser(runsOf)
  const api = await startApi(batch)
  const service = await createService({
    configDir,
    dataDir,
    mode: 'web',
    version: 'bench',
    env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: api.url },
    // screenshots on worker threads, as in the app (npm run bench builds it)
    imageWorker: join(process.cwd(), 'out', 'main', 'image-worker.js')
  })
  try {
    await addBatch(service, batch)
    const e0 = performance.now()
    const estimate = await service.handlers.estimateAnalysis({ batchId: batch.batchId, model: MODEL })
    const estimateSeconds = (performance.now() - e0) / 1000

    console.log('Analysts: four analysts (looking closer), then the merge, against the caching API…')
    const t0 = performance.now()
    const t0Epoch = performance.timeOrigin + t0
    let analysis = await service.handlers.startAnalysis({ batchId: batch.batchId, model: MODEL })
    const startSeconds = (performance.now() - t0) / 1000
    await service.analysisIdle(analysis.id)
    const clientSeconds = (performance.now() - t0) / 1000
    analysis = await service.handlers.getAnalysis({ analysisId: analysis.id })
    if (analysis.state !== 'done') throw new Error(`analysis ended ${analysis.state}: ${analysis.warnings.join('; ')}`)
    const failed = analysis.analysts.filter((a) => a.state !== 'done')
    if (failed.length) throw new Error(`analysts failed: ${failed.map((a) => `${a.kind}: ${a.error}`).join('; ')}`)
    if (analysis.support?.state !== 'done') throw new Error(`the support check ended ${analysis.support?.state ?? 'never started'}`)
    // the skill the batch produced, for the README's before/after (.bench/analysts-SKILL.md)
    const skillView = analysis.skillId ? await service.handlers.getSkill({ skillId: analysis.skillId }) : null
    if (skillView) {
      await mkdir('.bench', { recursive: true })
      await writeFile(join('.bench', 'analysts-SKILL.md'), skillView.skillMd)
      await writeFile(join('.bench', 'analysts-edge-cases.md'), skillView.edgeCasesMd)
    }

    const { billed, timings } = await api.state()
    const ofKind = (kind: AnalystKind) => billed.filter((b) => b.what === kind)
    const merge = billed.filter((b) => b.what === 'merge')
    for (const kind of ANALYSTS) {
      const want = plan[kind].length + 1
      if (ofKind(kind).length !== want) throw new Error(`the ${kind} analyst made ${ofKind(kind).length} requests, expected ${want}`)
    }
    if (merge.length !== 1) throw new Error(`expected one merge request, saw ${merge.length}`)
    const rec = (b: Billed) => timings[b.index]
    const span = (list: Billed[]) => ({
      from: Math.min(...list.map((b) => rec(b).receivedAt)),
      to: Math.max(...list.map((b) => rec(b).endedAt!))
    })
    const analystReqs = billed.filter((b) => b.what !== 'merge' && b.what !== 'support' && b.what !== 'other')
    const support = billed.filter((b) => b.what === 'support')
    if (support.length !== analysis.support.runs) throw new Error(`expected ${analysis.support.runs} support checks, saw ${support.length}`)
    const all = span([...analystReqs, ...merge])
    const wallMs = all.to - all.from
    const analystsWallMs = span(analystReqs).to - span(analystReqs).from

    // 1. context and cost: the app's own figures against the server's bills
    const first = ofKind(ANALYSTS[0])[0]
    const prefixTokens = first.prefixTokens
    const prefixImageTokens = first.prefixImageTokens
    const price = (b: Billed) =>
      costUsd(MODEL, { input: b.input, output: b.output, cacheRead: b.cacheRead, cacheCreation: b.cacheCreation })
    const plain = (b: Billed) =>
      costUsd(MODEL, { input: b.input + b.cacheCreation + b.cacheRead, output: b.output, cacheRead: 0, cacheCreation: 0 })
    const appAnalystsUsd = analysis.analysts.reduce((n, a) => n + a.costUsd, 0)
    const appBilledUsd = appAnalystsUsd + analysis.merge.costUsd
    const serverUsd = [...analystReqs, ...merge].reduce((n, b) => n + price(b), 0)
    if (Math.abs(serverUsd - appBilledUsd) > 1e-6 * Math.max(1, serverUsd))
      throw new Error(`the app billed ${appBilledUsd} but the server's usage prices at ${serverUsd}`)
    const analystsCached = analystReqs.reduce((n, b) => n + price(b), 0)
    const analystsPlain = analystReqs.reduce((n, b) => n + plain(b), 0)
    const withMergeCached = analystsCached + merge.reduce((n, b) => n + price(b), 0)
    const withMergePlain = analystsPlain + merge.reduce((n, b) => n + plain(b), 0)
    const inTok = (b: Billed) => b.input + b.cacheCreation + b.cacheRead

    // 5. what the why, the examples and the support check add: the check's own bill and span, and
    // the why/example part of the analysts' answers (their output tokens, priced and streamed)
    const supportUsd = support.reduce(
      (n, b) => n + costUsd(b.model, { input: b.input, output: b.output, cacheRead: b.cacheRead, cacheCreation: b.cacheCreation }),
      0
    )
    if (Math.abs(supportUsd - analysis.support.costUsd) > 1e-6 * Math.max(1, supportUsd))
      throw new Error(`the app billed ${analysis.support.costUsd} for the support check but the server's usage prices at ${supportUsd}`)
    const supportSpan = span(support)
    const proposed = analystRules(runsOf)
    const tok = (x: unknown) => Math.ceil(JSON.stringify(x).length / 4)
    const whyTokens = Object.fromEntries(
      ANALYSTS.map((kind) => [
        kind,
        proposed[kind].reduce((n, p) => {
          const { why: _w, example: _e, ...bare } = p
          return n + tok(p) - tok(bare)
        }, 0)
      ])
    ) as Record<AnalystKind, number>
    const whyOutputTokens = ANALYSTS.reduce((n, kind) => n + whyTokens[kind], 0)
    const whyUsd = costUsd(MODEL, { input: 0, output: whyOutputTokens, cacheRead: 0, cacheCreation: 0 })
    const withUsd = appBilledUsd + supportUsd
    const withoutUsd = appBilledUsd - whyUsd
    // without them the analysis would end when the merge's answer does, the analyst that ended last
    // streaming its why/example tokens fewer (the merge waits for it)
    const lastAnalyst = ANALYSTS.reduce((a, b) => (span(ofKind(b)).to > span(ofKind(a)).to ? b : a))
    const whyStreamMs = (whyTokens[lastAnalyst] / OUTPUT_TOKENS_PER_S) * 1000 * TIME_SCALE
    const wallWithMs = Math.max(supportSpan.to, all.to) - all.from
    const wallWithoutMs = wallMs - whyStreamMs
    const inputCachedUsd = analystReqs.reduce((n, b) => n + price({ ...b, output: 0 }), 0)
    const inputPlainUsd = analystReqs.reduce((n, b) => n + plain({ ...b, output: 0 }), 0)

    // 4. each analyst alone, the same way (AnalystFleet with one kind, the same shared blocks and
    // drill-down over the same evidence), a cold cache each time; the slowest is the reference
    const evidence = await evidenceOf(service, batch)
    const port = apiModel({ apiKey: 'test-key', baseURL: api.url })
    // each analyst alone; BENCH_ALONE=predicted: only the one the latency model predicts slowest (its first request cold)
    const modelled = (kind: AnalystKind) =>
      ofKind(kind).reduce((n, b, i) => {
        const cold = i === 0 ? b.cacheRead : 0
        const read = b.cacheRead - cold
        return (
          n +
          FIRST_TOKEN_MS +
          ((b.input + b.cacheCreation + cold) / PREFILL_TOKENS_PER_S +
            read / CACHED_PREFILL_TOKENS_PER_S +
            b.output / OUTPUT_TOKENS_PER_S) *
            1000
        )
      }, 0)
    const predicted = ANALYSTS.reduce((a, b) => (modelled(b) > modelled(a) ? b : a))
    const aloneKinds = process.env.BENCH_ALONE === 'predicted' ? [predicted] : ANALYSTS
    const alone: Record<string, { ms: number; clientMs: number; rounds: number }> = {}
    for (const kind of aloneKinds) {
      await api.reset()
      const before = (await api.state()).timings.length
      const body0 = await api.body(ofKind(kind)[0].index)
      const fleet = new AnalystFleet({
        port,
        model: MODEL,
        shared: sharedOf(body0),
        drill: createDrillDown(evidence, { imagesInPrefix: evidence.reduce((n, r) => n + r.shots.length, 0) }),
        runNumbers: new Set(analysis.runNumbers),
        kinds: [kind],
        onStatus: () => {}
      })
      const s0 = performance.now()
      const status = (await fleet.run()).get(kind)!
      const clientMs = performance.now() - s0
      if (status.state !== 'done') throw new Error(`the ${kind} analyst alone failed: ${status.error}`)
      const mine = (await api.state()).timings.slice(before)
      if (JSON.stringify((await api.body(before)).messages) !== JSON.stringify(body0.messages) || mine.length !== ofKind(kind).length)
        throw new Error(`the ${kind} analyst alone did not send the same requests`)
      alone[kind] = { ms: Math.max(...mine.map((r) => r.endedAt!)) - mine[0].receivedAt, clientMs, rounds: status.rounds ?? 0 }
    }
    if (process.env.BENCH_DEBUG) {
      const st = await api.state()
      for (const r of st.timings) {
        const b = st.billed.find((x) => x.index === r.index)
        console.log(
          `#${r.index} ${b?.what}/${b?.round} in +${(r.receivedAt - all.from).toFixed(0)} ttfb ${(r.firstByteAt! - r.receivedAt).toFixed(0)} total ${(r.endedAt! - r.receivedAt).toFixed(0)} in=${b?.input} w=${b?.cacheCreation} r=${b?.cacheRead} out=${b?.output}`
        )
      }
    }
    const slowest = aloneKinds.reduce((a, b) => (alone[b].ms > alone[a].ms ? b : a))
    const soloMs = alone[slowest].ms

    const analysts = ANALYSTS.map((kind) => {
      const list = ofKind(kind)
      const s = span(list)
      const app = analysis.analysts.find((a) => a.kind === kind)!
      return {
        kind,
        requests: list.length,
        rounds: app.rounds ?? 0,
        maxRounds: app.maxRounds ?? 0,
        input: list.reduce((n, b) => n + b.input, 0),
        cacheCreation: list.reduce((n, b) => n + b.cacheCreation, 0),
        cacheRead: list.reduce((n, b) => n + b.cacheRead, 0),
        output: list.reduce((n, b) => n + b.output, 0),
        costUsd: app.costUsd,
        plainUsd: list.reduce((n, b) => n + plain(b), 0),
        startMs: s.from - all.from,
        ms: s.to - s.from,
        aloneMs: alone[kind]?.ms ?? null
      }
    })
    const report = analysis.context.report
    const result = {
      runs: analysis.context.runs,
      model: MODEL,
      toolCallsPerRun: batch.info.reduce((n, i) => n + i.toolCalls, 0) / batch.info.length,
      outputKBPerRun: batch.info.reduce((n, i) => n + i.outputBytes, 0) / batch.info.length / 1024,
      screenshots: batch.info.map((i) => `${i.shot.width}x${i.shot.height}`),
      sessionBytes: batch.sessionBytes,
      context: {
        prefixTokens,
        prefixImageTokens,
        prefixTextTokens: prefixTokens - prefixImageTokens,
        appTextTokens: report?.textTokens,
        appImageTokens: report?.imageTokens,
        images: report?.images,
        cuts: report?.cuts.length ?? 0,
        estimatedContextTokens: estimate.contextTokens
      },
      estimateUsd: estimate.usd,
      billedUsd: appBilledUsd,
      estimateVsBilled: estimate.usd === null ? null : estimate.usd / appBilledUsd,
      analystsUsd: analystsCached,
      analystsPlainUsd: analystsPlain,
      costRatio: analystsCached / analystsPlain,
      costRatioWithMerge: withMergeCached / withMergePlain,
      inputCostRatio: inputCachedUsd / inputPlainUsd,
      inputTokens: analystReqs.reduce((n, b) => n + inTok(b), 0),
      analysts,
      merge: { ...merge[0], costUsd: analysis.merge.costUsd, ms: rec(merge[0]).endedAt! - rec(merge[0]).receivedAt },
      wallMs,
      analystsWallMs,
      slowest,
      slowestAloneMs: soloMs,
      wallRatio: wallMs / soloMs,
      supportCheck: {
        model: analysis.support.model,
        runs: analysis.support.runs,
        confirmed: analysis.support.confirmed,
        unconfirmed: analysis.support.unconfirmed,
        requests: support.length,
        input: support.reduce((n, b) => n + b.input, 0),
        cacheCreation: support.reduce((n, b) => n + b.cacheCreation, 0),
        cacheRead: support.reduce((n, b) => n + b.cacheRead, 0),
        output: support.reduce((n, b) => n + b.output, 0),
        costUsd: supportUsd,
        ms: supportSpan.to - supportSpan.from,
        afterMergeMs: supportSpan.from - all.to
      },
      whyExample: { outputTokens: whyOutputTokens, costUsd: whyUsd, lastAnalyst, streamMs: whyStreamMs },
      examplesKept: skillView?.skill.rules.filter((r) => r.example).length ?? 0,
      exampleNotes: skillView?.skill.rules.flatMap((r) => (r.exampleNote ? [r.exampleNote] : [])) ?? [],
      withUsd,
      withoutUsd,
      addedCostRatio: withUsd / withoutUsd,
      wallWithMs,
      wallWithoutMs,
      addedWallRatio: wallWithMs / wallWithoutMs,
      analysisClientSeconds: clientSeconds,
      estimateSeconds,
      startAnalysisSeconds: startSeconds,
      firstRequestSeconds: (Math.min(...timings.map((t) => t.receivedAt)) - t0Epoch) / 1000,
      latencyModel: {
        firstTokenMs: FIRST_TOKEN_MS,
        prefillTokensPerS: PREFILL_TOKENS_PER_S,
        cachedPrefillTokensPerS: CACHED_PREFILL_TOKENS_PER_S,
        outputTokensPerS: OUTPUT_TOKENS_PER_S,
        timeScale: TIME_SCALE
      },
      suiteSeconds: 0
    }

    console.log(
      `\n${result.runs} runs: ${result.toolCallsPerRun.toFixed(0)} tool calls and ${result.outputKBPerRun.toFixed(0)} KB of final files each on average, one 1280 px screenshot each (${Math.min(...batch.info.map((i) => i.shot.height))}-${Math.max(...batch.info.map((i) => i.shot.height))} px tall); ${(batch.sessionBytes / 1e6).toFixed(1)} MB of session files (written in ${genSeconds.toFixed(1)} s)`
    )
    console.log(
      `Model ${MODEL}; scripted API: ${FIRST_TOKEN_MS} ms to first token + prefill at ${PREFILL_TOKENS_PER_S / 1000}k tok/s uncached (${CACHED_PREFILL_TOKENS_PER_S / 1000}k cached), output at ${OUTPUT_TOKENS_PER_S} tok/s; all delays x${TIME_SCALE}\n`
    )
    console.log(
      '| analyst | rounds | requests | starts at | input | cache write | cache read | output | cost | without caching | time | alone |'
    )
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for (const a of analysts)
      console.log(
        `| ${a.kind} | ${a.rounds}/${a.maxRounds} | ${a.requests} | +${a.startMs.toFixed(0)} ms | ${a.input} | ${a.cacheCreation} | ${a.cacheRead} | ${a.output} | ${usd(a.costUsd)} | ${usd(a.plainUsd)} | ${a.ms.toFixed(0)} ms | ${a.aloneMs === null ? '-' : `${a.aloneMs.toFixed(0)} ms`} |`
      )
    const m = result.merge
    console.log(
      `| merge | - | 1 | +${(rec(merge[0]).receivedAt - all.from).toFixed(0)} ms | ${m.input} | ${m.cacheCreation} | ${m.cacheRead} | ${m.output} | ${usd(m.costUsd)} | ${usd(plain(merge[0]))} | ${m.ms.toFixed(0)} ms | - |`
    )
    console.log('\n| analysts benchmark | value |\n|---|---:|')
    console.log(
      `| shared prefix (tools, system, task, feedback, ${result.runs} runs' traces and files, ${report?.images ?? 0} screenshots) | ${k(prefixTokens)} tokens (${k(prefixTokens - prefixImageTokens)} text + ${k(prefixImageTokens)} image) |`
    )
    console.log(
      `| the app's own count of the evidence (report.textTokens + imageTokens; cuts made: ${result.context.cuts}) | ${k(report?.textTokens ?? 0)} + ${k(report?.imageTokens ?? 0)} |`
    )
    console.log(`| estimate before the run (estimateAnalysis) | ${estimate.usd === null ? '-' : usd(estimate.usd)} |`)
    console.log(`| billed (four analysts + merge, as the app reports) | ${usd(appBilledUsd)} |`)
    console.log(`| estimate / billed | ${result.estimateVsBilled === null ? '-' : result.estimateVsBilled.toFixed(2)} |`)
    console.log(`| four analysts with caching, incl. their rounds | ${usd(analystsCached)} |`)
    console.log(`| four independent conversations without caching (same tokens at the plain input price) | ${usd(analystsPlain)} |`)
    console.log(`| cost ratio (target <= 0.45) | ${result.costRatio.toFixed(3)} |`)
    console.log(`| ... input only / incl. the merge | ${result.inputCostRatio.toFixed(3)} / ${result.costRatioWithMerge.toFixed(3)} |`)
    console.log(`| drill-down rounds used (${ANALYSTS.join(', ')}) | ${analysts.map((a) => a.rounds).join(', ')} |`)
    console.log(`| whole analysis, wall (first analyst request in to the merge's answer out) | ${wallMs.toFixed(0)} ms |`)
    console.log(
      `| slowest analyst alone (${slowest}${aloneKinds.length === 1 ? ', the slowest by the latency model' : ''}, cold cache, same requests) | ${soloMs.toFixed(0)} ms |`
    )
    console.log(`| wall / slowest alone (target <= 1.3) | ${result.wallRatio.toFixed(3)} |`)
    const sc = result.supportCheck
    console.log(
      `| support check (${sc.model}): ${sc.requests} calls, one per cited run; citations confirmed / not | ${sc.confirmed} / ${sc.unconfirmed} |`
    )
    console.log(`| support check: cost / wall (its first call in to its last answer out) | ${usd(sc.costUsd)} / ${sc.ms.toFixed(0)} ms |`)
    console.log(
      `| why and examples: the analysts' output tokens for them / their cost (examples kept after the check: ${result.examplesKept}) | ${whyOutputTokens} / ${usd(whyUsd)} |`
    )
    console.log(
      `| cost with them / without (analysts + merge + check, less the check and the why/example tokens) | ${usd(withUsd)} / ${usd(withoutUsd)} |`
    )
    console.log(`| added cost ratio (target <= 1.3) | ${result.addedCostRatio.toFixed(3)} |`)
    console.log(
      `| wall with them (to the check's last answer) / without (to the merge's answer, less the last analyst's why/example streaming) | ${wallWithMs.toFixed(0)} / ${wallWithoutMs.toFixed(0)} ms |`
    )
    console.log(`| added wall ratio (target <= 1.3) | ${result.addedWallRatio.toFixed(3)} |`)
    console.log(
      `| whole analysis as the app saw it (startAnalysis to done, incl. reading and condensing) | ${clientSeconds.toFixed(2)} s |`
    )
    console.log(
      `| before the first request: startAnalysis returned after / the first analyst request came after (estimate alone: ${estimateSeconds.toFixed(1)} s) | ${startSeconds.toFixed(1)} s / ${result.firstRequestSeconds.toFixed(1)} s |`
    )
    result.suiteSeconds = (performance.now() - t00) / 1000
    console.log(`(suite: ${result.suiteSeconds.toFixed(0)} s)`)
    return result
  } finally {
    await service.dispose()
    api.close()
    await rm(configDir, { recursive: true, force: true })
    await rm(dataDir, { recursive: true, force: true })
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
