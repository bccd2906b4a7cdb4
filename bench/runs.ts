/**
 * Runs benchmark: 20 scripted `claude -p` runs at concurrency 4, the batch's wall time as a ratio to
 * the ideal (sum of the single-run times / 4; target at most 1.25); the app's own CPU and memory while
 * runs stream; and screenshot time per page.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createService } from '../src/main/app/service'
import { playwrightScreenshots } from '../src/main/runs/playwright-screenshots'
import { CLAUDE_BIN, claudeEnv } from '../test/support/claude-harness'
import { childCpuSeconds } from './child'
import { startModelServer } from '../test/support/model-server'
import { LANDING_PAGE, prompt, scenarioScript } from '../test/support/scenarios'

const RUNS = Number(process.env.BENCH_RUNS ?? 20)
const STEPS = 6
const STEP_DELAY_MS = 150

export async function benchRuns() {
  const server = await startModelServer(
    scenarioScript({
      scenarios: {
        bench: ({ step }) =>
          step >= STEPS
            ? { text: 'done', delayMs: STEP_DELAY_MS }
            : { delayMs: STEP_DELAY_MS, toolUses: [{ name: 'Bash', input: { command: `echo ${step}`, description: 'step' } }] }
      }
    })
  )
  const configDir = await mkdtemp(join(tmpdir(), 't2s-bench-claude-'))
  const dataDir = await mkdtemp(join(tmpdir(), 't2s-bench-data-'))
  const service = await createService({ configDir, dataDir, mode: 'web', version: 'bench', env: claudeEnv(configDir, server.url) })
  const task = await service.handlers.saveTask({ name: 'bench', text: 'bench' })
  await service.handlers.saveVariations({
    taskId: task.id,
    variations: Array.from({ length: RUNS }, (_, i) => ({ difficulty: 'normal' as const, prompt: prompt('bench', `run ${i}`) }))
  })
  const settings = {
    concurrency: 1,
    maxTurns: 40,
    claudePath: CLAUDE_BIN,
    timeoutMs: 300_000,
    permission: 'accept-edits' as const,
    allowedTools: ['Bash'],
    repeats: 1
  }

  const runBatch = async (concurrency: number) => {
    const batch = await service.handlers.createBatch({ taskId: task.id, settings: { ...settings, concurrency } })
    const cpu0 = process.cpuUsage()
    const child0 = childCpuSeconds()
    let peakRss = process.memoryUsage().rss
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100)
    const t0 = performance.now()
    await service.handlers.startBatch({ batchId: batch.id })
    await service.runner.idle(batch.id)
    const wall = (performance.now() - t0) / 1000
    clearInterval(sampler)
    const cpu = process.cpuUsage(cpu0)
    const childCpu = childCpuSeconds() - child0
    const { runs } = await service.handlers.getBatch({ batchId: batch.id })
    const bad = runs.filter((r) => r.state !== 'done')
    if (bad.length) throw new Error(`bench runs failed: ${bad.map((r) => r.reason).join('; ')}`)
    const single = runs.map((r) => (Date.parse(r.endedAt!) - Date.parse(r.startedAt!)) / 1000)
    return { wall, single, childCpu, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMB: peakRss / 1024 / 1024 }
  }

  console.log(`Runs: ${RUNS} scripted claude -p runs one at a time (for the single-run times)…`)
  const alone = await runBatch(1)
  console.log(`Runs: ${RUNS} at concurrency 4…`)
  const four = await runBatch(4)
  const ideal = alone.single.reduce((a, b) => a + b, 0) / 4
  await service.dispose()
  await server.close()

  console.log('Screenshots: 20 pages, desktop + mobile each…')
  const root = await mkdtemp(join(tmpdir(), 't2s-bench-shots-'))
  await writeFile(join(root, 'index.html'), LANDING_PAGE)
  const port = playwrightScreenshots()
  await port.capture({ htmlFile: join(root, 'index.html'), root, outDir: join(root, 'out'), name: 'warmup' })
  const s0 = performance.now()
  for (let i = 0; i < 20; i++) await port.capture({ htmlFile: join(root, 'index.html'), root, outDir: join(root, 'out'), name: `p${i}` })
  const perPage = (performance.now() - s0) / 20
  await port.close()

  const cores = availableParallelism()
  // With fewer cores than runs at once, claude's own CPU sets a floor no scheduler can beat.
  const cpuFloor = Math.max(ideal, four.childCpu / cores)
  const result = {
    runs: RUNS,
    cores,
    claudeCpuSecondsPerRun: four.childCpu / RUNS,
    cpuFloorSeconds: cpuFloor,
    ratioToCpuFloor: four.wall / cpuFloor,
    singleRunMeanSeconds: alone.single.reduce((a, b) => a + b, 0) / RUNS,
    batchWallSeconds: four.wall,
    idealSeconds: ideal,
    ratioToIdeal: four.wall / ideal,
    appCpuShare: four.cpuSeconds / four.wall,
    appPeakRssMB: four.peakRssMB,
    screenshotMsPerPage: perPage
  }
  console.log('\n| runs benchmark | value |\n|---|---:|')
  console.log(`| mean single-run time (alone) | ${result.singleRunMeanSeconds.toFixed(2)} s |`)
  console.log(`| ${RUNS} runs at concurrency 4, wall | ${four.wall.toFixed(2)} s |`)
  console.log(`| ideal (sum of single runs / 4) | ${ideal.toFixed(2)} s |`)
  console.log(`| wall / ideal (target <= 1.25) | ${result.ratioToIdeal.toFixed(2)} |`)
  console.log(`| claude's own CPU per run | ${result.claudeCpuSecondsPerRun.toFixed(2)} s |`)
  console.log(`| CPU floor on ${cores} cores (all runs' CPU / cores) | ${cpuFloor.toFixed(2)} s |`)
  console.log(`| wall / CPU floor | ${result.ratioToCpuFloor.toFixed(2)} |`)
  console.log(`| app CPU while runs stream | ${(result.appCpuShare * 100).toFixed(1)} % of one core |`)
  console.log(`| app peak RSS while runs stream | ${four.peakRssMB.toFixed(0)} MB |`)
  console.log(`| screenshot, per page (desktop + mobile) | ${perPage.toFixed(0)} ms |`)
  return result
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchRuns().then(
    () => process.exit(0),
    (e) => {
      console.error(e)
      process.exit(1)
    }
  )
}
