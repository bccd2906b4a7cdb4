/**
 * `npm run bench` (not a test): indexing throughput on a generated corpus in Claude Code's real
 * format, measured in one run on the same bytes against two baselines: a bare read-split-JSON.parse
 * loop on one thread, and ccusage (a popular tool reading the same files). Figures go in the README.
 *
 *   BENCH_SESSIONS=2000 BENCH_GB=1 npm run bench
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { generateCorpus } from './generate'
import { benchAnalysts } from './analysts'
import { benchRuns } from './runs'
import { benchStore } from './store'
import { benchVerify } from './verify'
import { benchTriggers } from './triggers'

const ROOT = resolve(import.meta.dirname, '..')
const BENCH = join(ROOT, '.bench')
const CCUSAGE = 'ccusage@20.0.24'

interface Measured {
  seconds: number
  maxRssMB: number
  stdout: string
  stderr: string
  code: number | null
}

/** Run a command, timing it and tracking its peak RSS (VmHWM, polled, or reported by the probe). */
function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Measured> {
  return new Promise((ok, fail) => {
    const t0 = performance.now()
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let peakKB = 0
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    const poll = setInterval(async () => {
      try {
        const status = await readFile(`/proc/${child.pid}/status`, 'utf8')
        const m = status.match(/VmHWM:\s+(\d+)/)
        if (m) peakKB = Math.max(peakKB, Number(m[1]))
      } catch {
        /* exited */
      }
    }, 25)
    child.on('error', fail)
    child.on('close', (code) => {
      clearInterval(poll)
      const seconds = (performance.now() - t0) / 1000
      const probe = stderr.match(/BENCH_MAX_RSS_MB=([\d.]+)/)
      ok({ seconds, maxRssMB: probe ? Number(probe[1]) : peakKB / 1024, stdout, stderr, code })
    })
  })
}

async function ensureCcusage(): Promise<string | null> {
  const bin = join(BENCH, 'tools', 'node_modules', '.bin', 'ccusage')
  if (existsSync(bin)) return bin
  await mkdir(join(BENCH, 'tools'), { recursive: true })
  const r = await measure('npm', ['install', '--prefix', join(BENCH, 'tools'), '--no-save', '--no-audit', '--no-fund', CCUSAGE])
  if (r.code !== 0 || !existsSync(bin)) {
    console.error(`(ccusage could not be installed: ${r.stderr.split('\n').slice(-3).join(' ')})`)
    return null
  }
  return bin
}

const mbps = (bytes: number, s: number) => bytes / 1e6 / s

async function main() {
  const only = process.env.BENCH_ONLY
  if (!only || only === 'index') await benchIndex()
  if (!only || only === 'runs') {
    const runs = await benchRuns()
    await mkdir(BENCH, { recursive: true })
    await writeFile(join(BENCH, 'runs-results.json'), JSON.stringify(runs, null, 2))
  }
  if (!only || only === 'analysts') {
    const analysts = await benchAnalysts()
    await mkdir(BENCH, { recursive: true })
    await writeFile(join(BENCH, 'analysts-results.json'), JSON.stringify(analysts, null, 2))
  }
  if (!only || only === 'store') {
    const store = await benchStore()
    await mkdir(BENCH, { recursive: true })
    await writeFile(join(BENCH, 'store-results.json'), JSON.stringify(store, null, 2))
  }
  if (!only || only === 'verify') {
    const verify = await benchVerify()
    await mkdir(BENCH, { recursive: true })
    await writeFile(join(BENCH, 'verify-results.json'), JSON.stringify(verify, null, 2))
  }
  if (!only || only === 'triggers') {
    await mkdir(BENCH, { recursive: true })
    const triggers = await benchTriggers()
    await writeFile(join(BENCH, 'triggers-results.json'), JSON.stringify(triggers, null, 2))
  }
}

async function benchIndex() {
  const sessions = Number(process.env.BENCH_SESSIONS ?? 2000)
  const gb = Number(process.env.BENCH_GB ?? 1)
  const cli = join(ROOT, 'out', 'main', 'cli.js')
  if (!existsSync(cli)) throw new Error('build first: npm run build')
  const corpus = join(BENCH, `corpus-${sessions}-${gb}`)
  console.log(`Generating ${sessions} sessions, ~${gb} GB in ${corpus} (reused when present)…`)
  const t0 = performance.now()
  const { bytes, files } = await generateCorpus(corpus, {
    sessions,
    targetBytes: gb * 1e9,
    projects: Math.max(1, Math.round(sessions / 50)),
    seed: 42
  })
  console.log(`  ${files} files, ${(bytes / 1e9).toFixed(2)} GB (${((performance.now() - t0) / 1000).toFixed(1)} s)`)

  // Same footing for everyone: the files are in the page cache before any measurement.
  await measure('sh', ['-c', `cat ${corpus}/projects/*/*.jsonl > /dev/null`])

  console.log('Naive loop (read, split, JSON.parse every line; one thread)…')
  const naive = await measure(process.execPath, [join(ROOT, 'bench', 'naive.mjs'), corpus])
  const naiveOut = JSON.parse(naive.stdout)

  console.log('trace2skill index, cold…')
  const data = await mkdtemp(join(BENCH, 'data-'))
  const env = { CLAUDE_CONFIG_DIR: corpus, TRACE2SKILL_DATA_DIR: data }
  const cold = await measure(process.execPath, ['--require', join(ROOT, 'bench', 'rss-probe.cjs'), cli, 'index', '--json'], env)
  if (cold.code !== 0) throw new Error(`index failed: ${cold.stderr}`)
  const coldTotals = JSON.parse(cold.stdout)
  console.log('trace2skill index, warm (nothing changed)…')
  const warm = await measure(process.execPath, ['--require', join(ROOT, 'bench', 'rss-probe.cjs'), cli, 'index', '--json'], env)
  const warmTotals = JSON.parse(warm.stdout)
  await rm(data, { recursive: true, force: true })

  let cc: Measured | null = null
  const ccBin = await ensureCcusage()
  if (ccBin) {
    console.log(`${CCUSAGE} daily --json…`)
    cc = await measure(ccBin, ['daily', '--json', '--offline'], { CLAUDE_CONFIG_DIR: corpus })
    if (cc.code !== 0) {
      console.error(`(ccusage failed: ${cc.stderr.slice(0, 300)})`)
      cc = null
    }
  }

  const rows = [
    ['naive loop (1 thread)', naiveOut.seconds, naive.maxRssMB],
    ['trace2skill index, cold', coldTotals.seconds, cold.maxRssMB],
    ...(cc ? [[`${CCUSAGE} daily --json`, cc.seconds, cc.maxRssMB]] : []),
    ['trace2skill index, warm', warmTotals.seconds, warm.maxRssMB]
  ] as [string, number, number][]
  console.log(`\nCorpus: ${files} sessions, ${(bytes / 1e9).toFixed(2)} GB, Claude Code 2.1 format (generated; page cache warm)\n`)
  console.log('| what | seconds | MB/s | peak RSS |')
  console.log('|---|---:|---:|---:|')
  for (const [name, s, rss] of rows)
    console.log(`| ${name} | ${s.toFixed(2)} | ${name.includes('warm') ? '-' : mbps(bytes, s).toFixed(0)} | ${rss.toFixed(0)} MB |`)
  const ratios = {
    coldVsNaive: naiveOut.seconds / coldTotals.seconds,
    coldVsCcusage: cc ? cc.seconds / coldTotals.seconds : null,
    warmSeconds: warmTotals.seconds,
    warmBytesRead: warmTotals.bytesRead,
    coldPeakRssMB: cold.maxRssMB
  }
  console.log(
    `\ncold index throughput: ${ratios.coldVsNaive.toFixed(2)}x the naive loop${cc ? `, ${ratios.coldVsCcusage!.toFixed(2)}x ccusage's` : ''}`
  )
  console.log(
    `warm re-index: ${warmTotals.seconds.toFixed(3)} s, ${warmTotals.bytesRead} bytes read; cold peak RSS ${cold.maxRssMB.toFixed(0)} MB`
  )
  console.log(
    `index totals: ${coldTotals.sessions} sessions, ${coldTotals.toolCalls} tool calls, ${coldTotals.toolErrors} errors, ${coldTotals.tokens} tokens`
  )
  await writeFile(
    join(BENCH, 'results.json'),
    JSON.stringify(
      {
        when: new Date().toISOString(),
        files,
        bytes,
        naive: naiveOut,
        cold: { ...coldTotals, rss: cold.maxRssMB },
        warm: { ...warmTotals, rss: warm.maxRssMB },
        ccusage: cc ? { seconds: cc.seconds, rss: cc.maxRssMB } : null,
        ratios
      },
      null,
      2
    )
  )
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
