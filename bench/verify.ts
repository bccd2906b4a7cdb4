/**
 * Verify benchmark (issue 13): a skill version verified through the app's service with real scripted
 * `claude -p` runs, 20 pasted variations x 2 arms x 2 repeats = 80 runs at a chosen concurrency
 * (BENCH_CONCURRENCY, default 4), the accept-edits preset. Figures:
 *   1. the verification's wall time (startVerification to idle) against the ideal: the mean single-run
 *      time, measured on a few runs of both arms one at a time through the same service, x 80 /
 *      concurrency; and against the CPU floor (all runs' own CPU / cores), which on a machine with fewer
 *      cores than runs at once is the real bound;
 *   2. the app's own CPU and peak RSS while the runs stream, and what the rest of the machine used
 *      meanwhile (/proc/stat: a shared machine's other work shows there, and lengthens the wall);
 *   3. grading the 80 runs from their pages (importFeedback), then the report: getVerification cold
 *      (its first call: reading 80 traces, skill-use detection, metrics, stats), warm (cached), after a
 *      restart of the service, and its parts alone (the traces read, the detection, the pure buildReport).
 * The skill comes from a small learning batch (five runs, graded, analysed by the scripted analysts),
 * not measured. The scripted model runs in a child process (bench/verify-api.ts) so its work does not
 * count as the app's; each run's step is answered after STEP_DELAY_MS of model latency.
 *
 *   BENCH_ONLY=verify npm run bench
 *   BENCH_CONCURRENCY=4 BENCH_VERIFY_VARIATIONS=20 BENCH_VERIFY_REPEATS=2 BENCH_VERIFY_ALONE=4
 */
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createService, type Service } from '../src/main/app/service'
import { traceMetrics } from '../src/main/analysts/signals'
import { seededInt } from '../src/main/verify/plan'
import { buildReport, type RunFacts } from '../src/main/verify/report'
import { skillUse } from '../src/main/verify/usage'
import { RunSettingsSchema, type Difficulty, type Run } from '../src/shared/runs'
import type { VerificationView, VerifySettings, VerifyVariation } from '../src/shared/verify'
import { CLAUDE_BIN, claudeEnv } from '../test/support/claude-harness'
import { gradeOfPage, skilledPrompt, type Mode } from '../test/support/verify-script'
import { childCpuSeconds, forkApi } from './child'
import { STEP_DELAY_MS, type VerifyApiState } from './verify-api'

const VARIATIONS = Number(process.env.BENCH_VERIFY_VARIATIONS ?? 20)
const REPEATS = Number(process.env.BENCH_VERIFY_REPEATS ?? 2)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4)
/** variations run one at a time (both arms, one repeat) for the single-run time */
const ALONE = Number(process.env.BENCH_VERIFY_ALONE ?? 4)
const WARM_CALLS = 5

/** CPU seconds the whole machine spent busy (all cores, every process), from /proc/stat. */
function machineBusySeconds(): number {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number)
    return (user + nice + system + irq + softirq + steal) / 100
  } catch {
    return NaN
  }
}

const SUBJECTS = [
  'a tea room',
  'a dentist',
  'a florist',
  'a gym',
  'a night club',
  'a bakery',
  'a bike shop',
  'a law firm',
  'a yoga studio',
  'a car wash',
  'a museum',
  'a ski school',
  'a barber',
  'a vet',
  'a brewery',
  'a plumber',
  'a bookshop',
  'a dance school',
  'a hotel',
  'a cinema'
]
/** The default mix (5 easy, 8 normal, 4 hard, 3 adversarial), each difficulty with its modes: 11 fixed, 3 good, 3 bad, 3 traps. */
const MIX: [Difficulty, Mode][] = [
  ...(['good', 'good', 'good', 'fixed', 'fixed'] as Mode[]).map((m): [Difficulty, Mode] => ['easy', m]),
  ...(['fixed', 'fixed', 'fixed', 'fixed', 'fixed', 'fixed', 'bad', 'bad'] as Mode[]).map((m): [Difficulty, Mode] => ['normal', m]),
  ...(['fixed', 'fixed', 'fixed', 'bad'] as Mode[]).map((m): [Difficulty, Mode] => ['hard', m]),
  ...(['trap', 'trap', 'trap'] as Mode[]).map((m): [Difficulty, Mode] => ['adversarial', m])
]
/** The single-run variations: one of each mode (good, fixed, bad, trap). */
const ALONE_MIX = [0, 5, 11, 17]
const modeOf = (i: number) => MIX[i % MIX.length][1]
const variation = (i: number, words: string): VerifyVariation => {
  const [difficulty, mode] = MIX[i % MIX.length]
  return { difficulty, prompt: skilledPrompt(mode, `${words} ${i + 1}: ${SUBJECTS[i % SUBJECTS.length]}`) }
}

/** The scripted model in its own process (bench/verify-api.ts), and how to ask it for its state. */
async function startApi() {
  const api = await forkApi('verify-api.ts', { BENCH_VERIFY_API: '1' }, 'the scripted model')
  return { url: api.url, state: () => api.ask<VerifyApiState>({ type: 'state' }), close: api.close }
}

/** Grade every run from its page alone, as the person would (the blind deck's numbers); timed. */
async function gradeFromPages(service: Service, batchId: string) {
  const { runs } = await service.handlers.getBatch({ batchId })
  const lines: string[] = []
  for (const r of runs.sort((a, b) => a.number - b.number)) {
    // graded blind: a run gives its texts, not its folder (the CLI's `batch --json` reads them the same way)
    const html = (await service.handlers.getRunTexts({ runId: r.id })).find((t) => t.path === 'index.html')?.text ?? ''
    lines.push(`Run ${r.number}: ${gradeOfPage(html)} - ${html.includes('Deal 1') ? 'cluttered, loud cards' : 'clean, three cards'}`)
  }
  const t0 = performance.now()
  const res = await service.handlers.importFeedback({ batchId, text: lines.join('\n') })
  const ms = performance.now() - t0
  if (res.errors.length || res.applied !== runs.length) throw new Error(`grading failed: ${res.applied} applied; ${res.errors.join('; ')}`)
  return ms
}

const seconds = (r: Run) => (Date.parse(r.endedAt!) - Date.parse(r.startedAt!)) / 1000
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now()
  const x = await f()
  return [x, performance.now() - t0]
}

export async function benchVerify() {
  const t00 = performance.now()
  const load = loadavg()[0]
  const api = await startApi()
  const root = await mkdtemp(join(tmpdir(), 't2s-bench-verify-'))
  const configDir = join(root, 'claude')
  const dataDir = join(root, 'data')
  await mkdir(configDir, { recursive: true })
  const serviceOpts = {
    configDir,
    dataDir,
    mode: 'web' as const,
    version: 'bench',
    env: claudeEnv(configDir, api.url),
    random: seededInt(7)
  }
  let service = await createService(serviceOpts)
  const settings: VerifySettings = {
    claudePath: CLAUDE_BIN,
    maxTurns: 10,
    permission: 'accept-edits',
    timeoutMs: 300_000
  }
  try {
    // -- the skill to verify: five runs without one, graded, analysed (not measured)
    console.log('Verify: learning a skill (five runs, graded, analysed by the scripted analysts)…')
    const task = await service.handlers.saveTask({ name: 'Landing page', text: 'Build a landing page.' })
    await service.handlers.saveVariations({
      taskId: task.id,
      variations: Array.from({ length: 5 }, (_, i) => variation(i, 'learned'))
    })
    const learning = await service.handlers.createBatch({
      taskId: task.id,
      settings: RunSettingsSchema.parse({ ...settings, concurrency: 3 })
    })
    await service.handlers.startBatch({ batchId: learning.id })
    await service.runner.idle(learning.id)
    await gradeFromPages(service, learning.id)
    const analysis = await service.handlers.startAnalysis({ batchId: learning.id })
    await service.analysisIdle(analysis.id)
    const skillId = (await service.handlers.getAnalysis({ analysisId: analysis.id })).skillId
    if (!skillId) throw new Error('the learning analysis made no skill')

    const verifyOnce = async (variations: VerifyVariation[], repeats: number, concurrency: number) => {
      const cpu0 = process.cpuUsage()
      const child0 = childCpuSeconds()
      const api0 = await api.state()
      const busy0 = machineBusySeconds()
      let peakRss = process.memoryUsage().rss
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100)
      const t0 = performance.now()
      const view = await service.handlers.startVerification({
        skillId,
        repeats,
        variations: { source: 'pasted', items: variations },
        settings: { ...settings, concurrency }
      })
      await service.verify.idle(view.verification.id)
      const wall = (performance.now() - t0) / 1000
      clearInterval(sampler)
      const cpu = process.cpuUsage(cpu0)
      const childCpu = childCpuSeconds() - child0
      const busy = machineBusySeconds() - busy0
      const api1 = await api.state()
      // its arms and batch are set once it has started (pasted variations); no getVerification here, so the report's first call below is cold
      // graded blind, the contract gives no run's times until the last grade: the benchmark reads them from the store
      const runs = service.store.batches.runsOf((await service.store.batches.get(view.verification.batchId!))!)
      const bad = runs.filter((r) => r.state !== 'done')
      if (bad.length) throw new Error(`verification runs failed: ${bad.map((r) => `${r.state} ${r.reason}`).join('; ')}`)
      // graded blind: the view gives no arms until the last grade, so the benchmark reads them from the store
      const arms = (await service.store.verifications.get(view.verification.id))!.arms
      const arm = (r: Run) => arms[r.id].arm
      const span = (Math.max(...runs.map((r) => Date.parse(r.endedAt!))) - Math.min(...runs.map((r) => Date.parse(r.startedAt!)))) / 1000
      return {
        view,
        runs,
        wall,
        span,
        single: runs.map(seconds),
        singleWith: runs.filter((r) => arm(r) === 'with').map(seconds),
        singleWithout: runs.filter((r) => arm(r) === 'without').map(seconds),
        childCpu,
        apiCpu: api1.cpuSeconds - api0.cpuSeconds,
        // what the machine spent on anything but this benchmark (others' work on a shared machine)
        machineCpu: busy,
        otherCpu: busy - childCpu - (cpu.user + cpu.system) / 1e6 - (api1.cpuSeconds - api0.cpuSeconds),
        apiRequests: (api1.kinds.run ?? 0) - (api0.kinds.run ?? 0),
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        peakRssMB: peakRss / 1024 / 1024
      }
    }

    // -- single-run time: a few variations, both arms, one run at a time
    console.log(`Verify: ${ALONE} variations x 2 arms one at a time (for the single-run time)…`)
    const alone = await verifyOnce(
      Array.from({ length: ALONE }, (_, i) => variation(ALONE_MIX[i % ALONE_MIX.length], 'alone')),
      1,
      1
    )

    // -- the verification measured
    const items = Array.from({ length: VARIATIONS }, (_, i) => variation(i, 'bench'))
    const total = VARIATIONS * 2 * REPEATS
    console.log(`Verify: ${VARIATIONS} variations x 2 arms x ${REPEATS} repeats = ${total} runs at concurrency ${CONCURRENCY}…`)
    const main = await verifyOnce(items, REPEATS, CONCURRENCY)
    const verificationId = main.view.verification.id
    const batchId = main.view.verification.batchId!

    // -- grading, then the report
    console.log(`Verify: grading ${total} runs from their pages, then the report…`)
    const gradeMs = await gradeFromPages(service, batchId)
    const [cold, coldMs] = await timed(() => service.handlers.getVerification({ verificationId }))
    const warmMs: number[] = []
    let warm: VerificationView = cold
    for (let i = 0; i < WARM_CALLS; i++) {
      const [w, ms] = await timed(() => service.handlers.getVerification({ verificationId }))
      warm = w
      warmMs.push(ms)
    }
    if (JSON.stringify(warm.report) !== JSON.stringify(cold.report)) throw new Error('the warm report differs from the cold one')

    // the report is right: expected from the modes (fixed: good with, bad without; trap: the reverse; good, bad: the same)
    const r = cold.report!
    const modes = items.map((_, i) => modeOf(i))
    const count = (m: Mode) => modes.filter((x) => x === m).length * REPEATS
    const expected = {
      pairs: VARIATIONS * REPEATS,
      with: count('fixed') + count('good'),
      without: count('trap') + count('good'),
      fixed: count('fixed'),
      broken: count('trap')
    }
    const got = {
      pairs: r.comparison.pairs,
      with: r.comparison.with.passed,
      without: r.comparison.without.passed,
      fixed: r.comparison.fixed.length,
      broken: r.comparison.broken.length
    }
    if (JSON.stringify(got) !== JSON.stringify(expected))
      throw new Error(`the report is wrong: ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`)
    const trigger = r.arms.with.trigger!
    if (trigger.invoked !== total / 2 || !r.complete)
      throw new Error(`skill invoked in ${trigger.invoked} of ${trigger.runs} with-skill runs`)

    // its parts alone: reading the traces (as the view does, all at once), detection and metrics, the pure report
    const v = cold.verification
    const { runs } = await service.handlers.getBatch({ batchId })
    const [traces, readMs] = await timed(() =>
      Promise.all(runs.map((run) => service.handlers.getTrace({ sessionId: run.sessionId, projectId: run.projectId })))
    )
    const roots = await Promise.all(runs.map(async (run) => [run.workspace!, await realpath(run.workspace!)]))
    const d0 = performance.now()
    const facts = new Map<string, RunFacts>()
    runs.forEach((run, i) => facts.set(run.id, { metrics: traceMetrics(traces[i]), use: skillUse(traces[i], v.skillName, roots[i]) }))
    const detectMs = performance.now() - d0
    const REPORTS = 50
    const b0 = performance.now()
    let built = buildReport(v, runs, facts)
    for (let i = 1; i < REPORTS; i++) built = buildReport(v, runs, facts)
    const buildMs = (performance.now() - b0) / REPORTS
    if (JSON.stringify(built.comparison) !== JSON.stringify(r.comparison)) throw new Error('buildReport alone differs from the view')
    const traceBytes = traces.reduce((n, t) => n + t.bytes, 0)
    const traceLines = traces.reduce((n, t) => n + t.lines, 0)

    // after a restart: a new service on the same data (its own caches empty)
    await service.dispose()
    service = await createService(serviceOpts)
    const [, restartMs] = await timed(() => service.handlers.getVerification({ verificationId }))

    const cores = availableParallelism()
    const singleMean = mean(alone.single)
    const ideal = (singleMean * total) / CONCURRENCY
    // with fewer cores than runs at once, claude's own CPU sets a floor no scheduler can beat
    const cpuFloor = Math.max(ideal, main.childCpu / cores)
    const allCpuFloor = Math.max(ideal, (main.childCpu + main.cpuSeconds + main.apiCpu) / cores)
    const result = {
      variations: VARIATIONS,
      repeats: REPEATS,
      runs: total,
      concurrency: CONCURRENCY,
      cores,
      loadAverageAtStart: load,
      stepDelayMs: STEP_DELAY_MS,
      modelRequestsPerRun: main.apiRequests / total,
      aloneRuns: alone.runs.length,
      singleRunMeanSeconds: singleMean,
      singleRunWithSkillSeconds: mean(alone.singleWith),
      singleRunWithoutSkillSeconds: mean(alone.singleWithout),
      claudeCpuSecondsPerRunAlone: alone.childCpu / alone.runs.length,
      verificationWallSeconds: main.wall,
      runsSpanSeconds: main.span,
      idealSeconds: ideal,
      ratioToIdeal: main.wall / ideal,
      claudeCpuSecondsPerRun: main.childCpu / total,
      cpuFloorSeconds: cpuFloor,
      ratioToCpuFloor: main.wall / cpuFloor,
      allCpuFloorSeconds: allCpuFloor,
      ratioToAllCpuFloor: main.wall / allCpuFloor,
      appCpuSeconds: main.cpuSeconds,
      appCpuShare: main.cpuSeconds / main.wall,
      appCpuMsPerRun: (main.cpuSeconds / total) * 1000,
      appPeakRssMB: main.peakRssMB,
      apiCpuSeconds: main.apiCpu,
      otherProcessesCpuSeconds: main.otherCpu,
      otherProcessesCpuShare: main.otherCpu / main.wall,
      machineCpuSeconds: main.machineCpu,
      ratioToMachineCpu: main.wall / (main.machineCpu / cores),
      meanRunSecondsAtConcurrency: mean(main.single),
      gradeMs,
      report: {
        coldMs,
        warmMedianMs: median(warmMs),
        warmMs,
        afterRestartMs: restartMs,
        readTracesMs: readMs,
        detectMs,
        buildReportMs: buildMs,
        traces: traces.length,
        traceMB: traceBytes / 1e6,
        traceLines
      },
      pairs: got,
      trigger,
      suiteSeconds: 0
    }
    const f2 = (x: number) => x.toFixed(2)
    console.log(
      `\n${total} runs (${VARIATIONS} variations x 2 arms x ${REPEATS} repeats; variations the skill fixes: ${count('fixed') / REPEATS}, breaks: ${count('trap') / REPEATS}, leaves alone: ${(count('good') + count('bad')) / REPEATS}), ${result.modelRequestsPerRun.toFixed(1)} model requests per run at ${STEP_DELAY_MS} ms each; ${cores} cores, load average ${load.toFixed(2)} at the start\n`
    )
    console.log('| verify benchmark | value |\n|---|---:|')
    console.log(
      `| mean single-run time, alone (${alone.runs.length} runs one at a time; with the skill / without) | ${f2(singleMean)} s (${f2(result.singleRunWithSkillSeconds)} / ${f2(result.singleRunWithoutSkillSeconds)}) |`
    )
    console.log(`| ${total} runs at concurrency ${CONCURRENCY}, wall (startVerification to idle) | ${f2(main.wall)} s |`)
    console.log(`| ideal (mean single run x ${total} / ${CONCURRENCY}) | ${f2(ideal)} s |`)
    console.log(`| wall / ideal | ${f2(result.ratioToIdeal)} |`)
    console.log(
      `| claude's own CPU per run (alone: ${f2(result.claudeCpuSecondsPerRunAlone)} s) | ${f2(result.claudeCpuSecondsPerRun)} s |`
    )
    console.log(`| CPU floor on ${cores} cores (all runs' CPU / cores) | ${f2(cpuFloor)} s |`)
    console.log(`| wall / CPU floor | ${f2(result.ratioToCpuFloor)} |`)
    console.log(
      `| the same with the app's and the scripted model's CPU (${f2(main.cpuSeconds)} s + ${f2(main.apiCpu)} s) | ${f2(allCpuFloor)} s, wall / it ${f2(result.ratioToAllCpuFloor)} |`
    )
    console.log(
      `| the app's CPU while runs stream | ${(result.appCpuShare * 100).toFixed(1)} % of one core (${result.appCpuMsPerRun.toFixed(0)} ms per run) |`
    )
    console.log(`| the app's peak RSS while runs stream | ${main.peakRssMB.toFixed(0)} MB |`)
    console.log(
      `| other processes' CPU meanwhile (not this benchmark's; 0 on a quiet machine) | ${f2(main.otherCpu)} s (${((main.otherCpu / main.wall) * 100).toFixed(0)} % of one core) |`
    )
    console.log(
      `| the machine's busy CPU meanwhile, all processes / ${cores} cores; wall / it | ${f2(main.machineCpu / cores)} s; ${f2(result.ratioToMachineCpu)} |`
    )
    console.log(`| grading ${total} runs (importFeedback, one paste) | ${gradeMs.toFixed(0)} ms |`)
    console.log(`| report, cold (first getVerification: ${total} traces read, skill use, metrics, stats) | ${coldMs.toFixed(0)} ms |`)
    console.log(`| report, warm (getVerification again, median of ${WARM_CALLS}) | ${result.report.warmMedianMs.toFixed(0)} ms |`)
    console.log(`| report after a restart (a new service on the same data) | ${restartMs.toFixed(0)} ms |`)
    console.log(`| of which: reading and parsing the ${total} traces (${result.report.traceMB.toFixed(1)} MB) | ${readMs.toFixed(0)} ms |`)
    console.log(`| of which: skill-use detection and metrics, ${total} traces | ${detectMs.toFixed(1)} ms |`)
    console.log(`| of which: buildReport alone (pure; mean of ${REPORTS}) | ${buildMs.toFixed(2)} ms |`)
    result.suiteSeconds = (performance.now() - t00) / 1000
    console.log(`(suite: ${result.suiteSeconds.toFixed(0)} s)`)
    return result
  } finally {
    await service.dispose()
    api.close()
    if (!process.env.BENCH_KEEP) await rm(root, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchVerify().then(
    () => process.exit(0),
    (e) => {
      console.error(e)
      process.exit(1)
    }
  )
}
