/**
 * Store benchmark: feedback save latency and start time with 1 and with 100 batches of 20 runs (each
 * batch with an analysis by the four analysts and a skill of 5 saved versions) in the data folder,
 * measured in one run. Targets: a feedback save at 100 batches within 1.2x of 1 batch (median), start
 * within 2x. For contrast, the same data in the old layout (one store.json rewritten whole on every
 * change, as the old store wrote it: JSON with 2-space indent, atomic and fsync'd), its write and its
 * start, and the migration from it on the first start.
 *
 *   BENCH_ONLY=store npm run bench      or      node --import tsx bench/store.ts
 */
import { randomUUID } from 'node:crypto'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import writeFileAtomic from 'write-file-atomic'
import { createService } from '../src/main/app/service'
import { readDocument } from '../src/main/store/document'
import { emptyLegacy, LEGACY_FILE, LEGACY_SCHEMA, LEGACY_SPEC, type LegacyData } from '../src/main/store/migrate'
import { openStore } from '../src/main/store/store'
import { rng } from './generate'
import type { Analysis, AnalystStatusInfo } from '../src/shared/analysis'
import type { Operation } from '../src/shared/operations'
import { DIFFICULTIES, RunSettingsSchema, type Batch, type Run, type Task, type Variation } from '../src/shared/runs'
import { renderEdgeCasesMd, renderSkillMd } from '../src/shared/skill-md'
import { ANALYSTS, tierFor, type AnalystRule, type Skill, type SkillRule, type SkillVersion } from '../src/shared/skills'

const SIZES = [1, 100] as const
const RUNS = 20
const VERSIONS = 5
const SAVES = Number(process.env.BENCH_STORE_SAVES ?? 50)
const OPENS = Number(process.env.BENCH_STORE_OPENS ?? 11)
const OLD_WRITES = Number(process.env.BENCH_STORE_OLD_WRITES ?? 3)
const OLD_OPENS = Number(process.env.BENCH_STORE_OLD_OPENS ?? 3)
const TARGET_SAVE = 1.2
const TARGET_START = 2

// ---------------------------------------------------------------------------------------------------
// Realistic data, deterministic text (seeded)

const rand = rng(7)
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)]
const WORDS =
  'the page header hero section card layout grid render test build file function error config value agent tool result check update style contrast button link image alt text heading spacing mobile viewport font color'.split(
    ' '
  )
const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ')
const sentence = (n: number) => {
  const w = words(n)
  return `${w[0].toUpperCase()}${w.slice(1)}.`
}
const sentences = (k: number, n = 14) => Array.from({ length: k }, () => sentence(n)).join(' ')
const DAY = 86_400_000
const T0 = Date.parse('2025-01-01T09:00:00.000Z')
const at = (ms: number) => new Date(T0 + ms).toISOString()

const DIFF_LINES = [
  '<section class="hero">',
  '  <h1>Plan your week in minutes</h1>',
  '  <p class="lead">A calm planner for busy teams.</p>',
  '  <a class="button primary" href="#start">Start free</a>',
  '</section>',
  '.hero { display: grid; gap: 1.5rem; padding: 4rem 1rem; }',
  '.button.primary { background: #1d4ed8; color: #fff; border-radius: 6px; }',
  '@media (max-width: 640px) { .hero { padding: 2rem 1rem; } }'
]
const diffOf = (path: string, lines: number) =>
  `--- /dev/null\n+++ b/${path}\n@@ -0,0 +1,${lines} @@\n` + Array.from({ length: lines }, () => `+${pick(DIFF_LINES)}`).join('\n') + '\n'

function makeTask(): { task: Task; variations: Variation[] } {
  const task: Task = { id: randomUUID(), name: 'Landing page', text: sentences(6), createdAt: at(0), updatedAt: at(0) }
  const variations = Array.from({ length: RUNS }, (_, i) => ({
    id: randomUUID(),
    taskId: task.id,
    difficulty: DIFFICULTIES[i % 4],
    prompt: sentences(int(3, 6))
  }))
  return { task, variations }
}

function makeRun(batch: Batch, v: Variation, number: number, t: number): Run {
  const sessionId = randomUUID()
  const files = [
    { path: 'index.html', status: 'added' as const, bytes: int(3000, 9000), diff: diffOf('index.html', int(8, 16)), binary: false },
    { path: 'styles.css', status: 'added' as const, bytes: int(1000, 4000), diff: diffOf('styles.css', int(4, 10)), binary: false },
    { path: 'hero.png', status: 'added' as const, bytes: int(20_000, 90_000), binary: true }
  ]
  const shot = (label: 'desktop' | 'mobile', width: number, height: number) => ({
    label,
    width,
    height,
    file: `runs/${batch.id}/${number}/shots/index-${label}.png`,
    bytes: int(40_000, 200_000),
    blank: false,
    timedOut: false,
    blockedRequests: [],
    pageHeight: int(1200, 4000)
  })
  return {
    id: randomUUID(),
    batchId: batch.id,
    number,
    variationId: v.id,
    difficulty: v.difficulty,
    prompt: v.prompt,
    repeat: 1,
    state: 'done',
    workspace: `/home/someone/.local/share/trace2skill/runs/${batch.id}/${number}`,
    sessionId,
    projectId: `-home-someone--local-share-trace2skill-runs-${batch.id}-${number}`,
    startedAt: at(t),
    endedAt: at(t + int(60_000, 400_000)),
    exitCode: 0,
    progress: {
      turns: int(6, 30),
      toolCalls: int(10, 60),
      tokens: int(80_000, 900_000),
      costUsd: Math.round(rand() * 200) / 100,
      costSource: 'claude-code',
      elapsedMs: int(60_000, 400_000)
    },
    result: sentences(int(2, 5)),
    files,
    screenshots: [{ html: 'index.html', shots: [shot('desktop', 1280, 800), shot('mobile', 390, 844)] }],
    imported: false,
    feedback: { label: rand() < 0.6 ? 'good' : 'bad', text: sentences(int(1, 3)), updatedAt: at(t + DAY / 2) }
  }
}

function makeAnalysis(batch: Batch, runs: Run[], t: number): Analysis {
  const analysts: AnalystStatusInfo[] = ANALYSTS.map((kind) => ({
    kind,
    state: 'done',
    attempt: 1,
    usage: {
      input: int(2000, 9000),
      output: int(1500, 5000),
      cacheRead: int(20_000, 60_000),
      cacheCreation: kind === 'error' ? int(20_000, 60_000) : 0
    },
    costUsd: Math.round(rand() * 30) / 100,
    rules: Array.from({ length: int(6, 10) }, (_, i): AnalystRule => {
      const evidence = [...new Set(Array.from({ length: int(1, 9) }, () => int(1, RUNS)))].sort((a, b) => a - b)
      return {
        id: `${kind}-${i + 1}`,
        analyst: kind,
        rule: sentence(int(10, 22)),
        evidence,
        priority: pick(['high', 'medium', 'low'] as const),
        reason: sentences(int(1, 2)),
        pointers: evidence.slice(0, 3).map((run) => ({ run, line: int(10, 400) }))
      }
    }),
    setAside: [],
    startedAt: at(t),
    endedAt: at(t + int(20_000, 90_000))
  }))
  return {
    id: randomUUID(),
    batchId: batch.id,
    taskId: batch.taskId,
    state: 'done',
    via: 'api',
    model: 'claude-sonnet-4-5',
    mergeModel: 'claude-sonnet-4-5',
    runNumbers: runs.map((r) => r.number),
    analysts,
    context: {
      runs: runs.length,
      tokens: int(6000, 30_000),
      rawTokens: int(500_000, 1_500_000),
      level: 0,
      charsCut: 0,
      stepsOmitted: 0,
      chunks: 1
    },
    merge: { state: 'done', costUsd: Math.round(rand() * 20) / 100 },
    warnings: [],
    createdAt: at(t),
    endedAt: at(t + 120_000)
  }
}

function makeSkill(batch: Batch, analysis: Analysis, t: number): { skill: Skill; versions: SkillVersion[] } {
  const sources = analysis.analysts.flatMap((a) => a.rules)
  const makeRule = (): SkillRule => {
    const members = Array.from({ length: int(1, 2) }, () => pick(sources))
    const evidence = [...new Set(members.flatMap((m) => m.evidence).concat(Array.from({ length: int(0, 6) }, () => int(1, RUNS))))].sort(
      (a, b) => a - b
    )
    const tier = tierFor(evidence.length)
    return {
      id: randomUUID(),
      text: sentence(int(16, 30)),
      evidence,
      priority: pick(['high', 'medium', 'low'] as const),
      tier,
      sources: members.map((m) => m.id),
      analysts: [...new Set(members.map((m) => m.analyst))],
      reasons: members.map((m) => m.reason),
      pointers: members.flatMap((m) => m.pointers ?? []).slice(0, 4),
      guard: rand() < 0.2,
      existing: false,
      pinnedTier: false
    }
  }
  let skill: Skill = {
    id: randomUUID(),
    batchIds: [batch.id],
    taskId: batch.taskId,
    frontMatter: { name: 'landing-page', description: sentence(24) },
    title: 'Building a landing page',
    whenToUse: sentences(2),
    rules: Array.from({ length: 30 }, makeRule),
    conflicts: [],
    setAside: [],
    createdAt: at(t),
    updatedAt: at(t)
  }
  const versions: SkillVersion[] = []
  for (let n = 1; n <= VERSIONS; n++) {
    if (n > 1) {
      // the person's edits between versions: a rule reworded, one added, one removed, moved tiers
      const rules = skill.rules.map((r) => (rand() < 0.15 ? { ...r, text: sentence(int(16, 30)) } : r))
      rules.splice(int(0, rules.length - 1), 1)
      rules.push(makeRule())
      skill = { ...skill, rules, updatedAt: at(t + n * 3_600_000) }
    }
    const skillMd = renderSkillMd(skill)
    versions.push({
      id: randomUUID(),
      skillId: skill.id,
      number: n,
      createdAt: skill.updatedAt,
      label: n === 1 ? 'merged' : undefined,
      skillMd,
      edgeCasesMd: renderEdgeCasesMd(skill),
      state: skill
    })
  }
  return { skill, versions }
}

interface BatchData {
  batch: Batch
  runs: Run[]
  analysis: Analysis
  skill: Skill
  versions: SkillVersion[]
  operations: Operation[]
}

function makeBatch(task: Task, variations: Variation[], i: number): BatchData {
  const t = i * DAY
  const batch: Batch = {
    id: randomUUID(),
    taskId: task.id,
    name: `Landing page ${i + 1}`,
    createdAt: at(t),
    settings: RunSettingsSchema.parse({}),
    runIds: []
  }
  const runs = variations.map((v, k) => makeRun(batch, v, k + 1, t + k * 1000))
  batch.runIds = runs.map((r) => r.id)
  const analysis = makeAnalysis(batch, runs, t + DAY / 2)
  const { skill, versions } = makeSkill(batch, analysis, t + DAY / 2 + 200_000)
  analysis.skillId = skill.id
  const op = (kind: Operation['kind'], subject: string, startedAt: string): Operation => ({
    id: randomUUID(),
    kind,
    subject,
    params: { subject },
    state: 'done',
    startedAt,
    endedAt: startedAt
  })
  return {
    batch,
    runs,
    analysis,
    skill,
    versions,
    operations: [op('batch', batch.id, batch.createdAt), op('analysis', analysis.id, analysis.createdAt)]
  }
}

// ---------------------------------------------------------------------------------------------------
// The two layouts, built from the same data

/** The new layout, written through the store's repositories (as the app writes it). */
async function buildStore(dataDir: string, task: Task, variations: Variation[], batches: BatchData[]) {
  // Fast writes while building (no fsync; the index, rewritten with every new document, written once
  // at the end): the measured writes use the store's own writer.
  const last: { index?: [file: string, text: string] } = {}
  const buildWrite = async (file: string, text: string) => {
    if (file.endsWith(`${sep}index.json`)) last.index = [file, text]
    else await writeFile(file, text)
  }
  const s = await openStore(dataDir, { writeFile: buildWrite })
  await s.index.putTask(task)
  await s.index.setVariations(task.id, variations, task.updatedAt)
  for (const b of batches) {
    await s.batches.add(b.batch, b.runs)
    await s.analyses.put(b.analysis)
    for (const v of b.versions) await s.skills.putWithVersion(v.state as Skill, v)
    for (const op of b.operations) await s.operations.add(op)
  }
  await s.close()
  if (last.index) await writeFile(...last.index)
}

/** The old layout: everything in one object (store.json, schema 1). */
function legacyOf(task: Task, variations: Variation[], batches: BatchData[]): LegacyData {
  const d = emptyLegacy()
  d.tasks[task.id] = task
  d.variations[task.id] = variations
  for (const b of batches) {
    d.batches[b.batch.id] = b.batch
    for (const r of b.runs) d.runs[r.id] = r
    d.analyses[b.analysis.id] = b.analysis
    d.skills[b.skill.id] = b.skill
    for (const v of b.versions) d.skillVersions[v.id] = v
  }
  return d
}

/** The old store's write: the whole data, 2-space JSON, a unique temp file, fsync, rename. */
const oldWrite = (file: string, data: LegacyData) => writeFileAtomic(file, JSON.stringify(data, null, 2))

async function bytesUnder(dir: string): Promise<number> {
  let n = 0
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) n += (await stat(join(e.parentPath, e.name))).size
  return n
}

// ---------------------------------------------------------------------------------------------------

const ms = (t0: number) => performance.now() - t0
/** A full garbage collection, run before each timed step so no step pays for the garbage of the one before. */
function collector(): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}
const median = (xs: number[]) => quantile(xs, 0.5)
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  const i = (s.length - 1) * q
  const lo = Math.floor(i)
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo)
}
const FEEDBACK = [
  'Good: the hero is clear and the button stands out on mobile.',
  'Bad: the header overlaps the hero on a narrow screen.',
  'Bad: the image has no alt text and the contrast of the links is too low.',
  'Good: spacing is even and the build passed before it reported success.'
]

export async function benchStore() {
  const gc = collector()
  const root = await mkdtemp(join(tmpdir(), 't2s-bench-store-'))
  const configDir = join(root, 'claude-config')
  await mkdir(join(configDir, 'projects'), { recursive: true })
  const t0 = performance.now()
  const secs = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`
  // Only what is measured stays in memory (a small heap: the collections before each step stay cheap).
  const prepare = async () => {
    const { task, variations } = makeTask()
    const all = Array.from({ length: Math.max(...SIZES) }, (_, i) => makeBatch(task, variations, i))
    const out = []
    for (const n of SIZES) {
      const batches = all.slice(0, n)
      const dataDir = join(root, `new-${n}`)
      await buildStore(dataDir, task, variations, batches)
      const oldDir = join(root, `old-${n}`)
      await mkdir(oldDir, { recursive: true })
      await oldWrite(join(oldDir, LEGACY_FILE), legacyOf(task, variations, batches))
      // the batch the person is grading: the newest (a document of the same size at both sizes)
      const newest = batches[batches.length - 1]
      const bytes = async (f: string) => (await stat(f)).size
      out.push({
        n,
        dataDir,
        oldDir,
        newest,
        newBytes: await bytesUnder(join(dataDir, 'store')),
        indexBytes: await bytes(join(dataDir, 'store', 'index.json')),
        oldBytes: await bytes(join(oldDir, LEGACY_FILE))
      })
    }
    return out
  }
  const sizes = await prepare()
  console.log(
    `Store: data folders with ${SIZES.join(' and ')} batches of ${RUNS} runs, an analysis and ${VERSIONS} skill versions each (${secs()})`
  )

  // Start, from cold (nothing in memory; the files in the page cache): the store alone, then the whole
  // service (store, session index, recovery of runs and analyses), alternating sizes.
  const open: Record<number, number[]> = {}
  const start: Record<number, number[]> = {}
  const oldStart: Record<number, number[]> = {}
  const firstList: Record<number, { batches: number; skills: number }> = {}
  for (let i = 0; i < OPENS; i++) {
    for (const z of sizes) {
      gc()
      let t = performance.now()
      const s = await openStore(z.dataDir)
      ;(open[z.n] ??= []).push(ms(t))
      await s.close()
      gc()
      t = performance.now()
      const svc = await createService({ configDir, dataDir: z.dataDir, mode: 'web', version: 'bench' })
      ;(start[z.n] ??= []).push(ms(t))
      if (i === 0) {
        // informational: the first listing of every batch and every skill reads their documents
        t = performance.now()
        await svc.handlers.listBatches({})
        const batches = ms(t)
        t = performance.now()
        await svc.handlers.listSkills({})
        firstList[z.n] = { batches, skills: ms(t) }
      }
      await svc.dispose()
    }
  }
  console.log(`Store: started ${OPENS} times at each size (${secs()})`)

  // Feedback saves through the app's own path (the saveFeedback handler), the deck open on the batch.
  const services = await Promise.all(sizes.map((z) => createService({ configDir, dataDir: z.dataDir, mode: 'web', version: 'bench' })))
  const save: Record<number, number[]> = {}
  /** CPU time of a save (this process, all threads): what it costs without waiting for the disk */
  const saveCpu: Record<number, number[]> = {}
  const written: Record<number, number> = {}
  for (const [k, z] of sizes.entries()) await services[k].handlers.getBatch({ batchId: z.newest.batch.id })
  for (let i = 0; i < SAVES; i++) {
    for (const [k, z] of sizes.entries()) {
      const run = z.newest.runs[i % RUNS]
      const text = `${FEEDBACK[i % FEEDBACK.length]} (${i})`
      gc()
      const cpu = process.cpuUsage()
      const t = performance.now()
      await services[k].handlers.saveFeedback({ runId: run.id, label: i % 3 ? 'good' : 'bad', text })
      ;(save[z.n] ??= []).push(ms(t))
      const used = process.cpuUsage(cpu)
      ;(saveCpu[z.n] ??= []).push((used.user + used.system) / 1000)
      written[z.n] = services[k].store.batches.peek(z.newest.batch.id)?.lastWriteBytes ?? NaN
    }
  }
  await Promise.all(services.map((s) => s.dispose()))
  console.log(`Store: ${SAVES} feedback saves at each size (${secs()})`)

  // The old layout's start: read store.json and check it record by record
  for (let i = 0; i < OLD_OPENS; i++) {
    for (const z of sizes) {
      gc()
      const t = performance.now()
      const old = await readDocument(join(z.oldDir, LEGACY_FILE), LEGACY_SPEC, emptyLegacy, 'store', true, LEGACY_SCHEMA)
      if (!old.data) throw new Error('old store.json unreadable')
      ;(oldStart[z.n] ??= []).push(ms(t))
    }
  }

  // The old layout: every feedback save rewrote the whole store.json.
  const oldSave: Record<number, number[]> = {}
  const legacy = await Promise.all(sizes.map(async (z) => JSON.parse(await readFile(join(z.oldDir, LEGACY_FILE), 'utf8')) as LegacyData))
  for (let i = 0; i < OLD_WRITES; i++) {
    for (const [k, z] of sizes.entries()) {
      const run = legacy[k].runs[z.newest.runs[i % RUNS].id]
      run.feedback = { label: 'good', text: `${FEEDBACK[i % FEEDBACK.length]} (${i})`, updatedAt: new Date().toISOString() }
      gc()
      const t = performance.now()
      await oldWrite(join(z.oldDir, LEGACY_FILE), legacy[k])
      ;(oldSave[z.n] ??= []).push(ms(t))
    }
  }

  console.log(`Store: the old layout's start and saves (${secs()})`)

  // The first start after the upgrade: the largest store.json split into documents (once).
  const big = sizes[sizes.length - 1]
  const migrateDir = join(root, 'migrate')
  await mkdir(migrateDir, { recursive: true })
  await cp(join(big.oldDir, LEGACY_FILE), join(migrateDir, LEGACY_FILE))
  gc()
  const t = performance.now()
  const migrated = await openStore(migrateDir)
  const migrateMs = ms(t)
  const migratedBatches = migrated.batches.ids().length
  await migrated.close()
  if (migratedBatches !== big.n) throw new Error(`migration kept ${migratedBatches} of ${big.n} batches`)
  await rm(root, { recursive: true, force: true })

  const [one, many] = sizes
  const mb = (b: number) => `${(b / 1e6).toFixed(b < 1e6 ? 2 : 1)} MB`
  const f = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`
  const ratio = (a: number[] | number, b: number[] | number) =>
    (typeof b === 'number' ? b : median(b)) / (typeof a === 'number' ? a : median(a))
  const saveRatio = ratio(save[one.n], save[many.n])
  const startRatio = ratio(start[one.n], start[many.n])
  const verdict = (r: number, target: number) =>
    `${r.toFixed(2)}x (target <= ${target}x: ${Number(r.toFixed(2)) <= target ? 'PASS' : 'FAIL'})`
  const row = (what: string, a: string, b: string, r = '') => console.log(`| ${what} | ${a} | ${b} | ${r} |`)
  console.log(`\n| store benchmark | ${one.n} batch | ${many.n} batches | 100 / 1 |\n|---|---:|---:|---:|`)
  row('data on disk (one document per batch, analysis, skill)', mb(one.newBytes), mb(many.newBytes))
  row('of which index.json (read at start)', mb(one.indexBytes), mb(many.indexBytes))
  row(`feedback save, median of ${SAVES}`, f(median(save[one.n])), f(median(save[many.n])), verdict(saveRatio, TARGET_SAVE))
  row(
    'feedback save, p95',
    f(quantile(save[one.n], 0.95)),
    f(quantile(save[many.n], 0.95)),
    `${ratio(quantile(save[one.n], 0.95), quantile(save[many.n], 0.95)).toFixed(2)}x`
  )
  row(
    'feedback save, CPU time (median)',
    f(median(saveCpu[one.n])),
    f(median(saveCpu[many.n])),
    `${ratio(saveCpu[one.n], saveCpu[many.n]).toFixed(2)}x`
  )
  row('bytes written by a feedback save', mb(written[one.n]), mb(written[many.n]))
  row(
    `start: the store, median of ${OPENS}`,
    f(median(open[one.n])),
    f(median(open[many.n])),
    `${ratio(open[one.n], open[many.n]).toFixed(2)}x`
  )
  row(
    `start: the app's service (store, session index, recovery), median of ${OPENS}`,
    f(median(start[one.n])),
    f(median(start[many.n])),
    verdict(startRatio, TARGET_START)
  )
  row(
    'first list of all batches after start',
    f(firstList[one.n].batches),
    f(firstList[many.n].batches),
    `${ratio(firstList[one.n].batches, firstList[many.n].batches).toFixed(1)}x`
  )
  row(
    'first list of all skills after start',
    f(firstList[one.n].skills),
    f(firstList[many.n].skills),
    `${ratio(firstList[one.n].skills, firstList[many.n].skills).toFixed(1)}x`
  )
  row('before: store.json (everything in one file)', mb(one.oldBytes), mb(many.oldBytes))
  row(
    `before: a feedback save rewrote all of it, median of ${OLD_WRITES}`,
    f(median(oldSave[one.n])),
    f(median(oldSave[many.n])),
    `${ratio(oldSave[one.n], oldSave[many.n]).toFixed(1)}x`
  )
  row(
    `before: start read and checked all of it, median of ${OLD_OPENS}`,
    f(median(oldStart[one.n])),
    f(median(oldStart[many.n])),
    `${ratio(oldStart[one.n], oldStart[many.n]).toFixed(1)}x`
  )
  console.log(
    `\nfirst start after the upgrade: store.json of ${many.n} batches (${mb(many.oldBytes)}) split into documents in ${f(migrateMs)} (once)`
  )
  console.log(
    `feedback save at ${many.n} batches: ${verdict(saveRatio, TARGET_SAVE)} of ${one.n} batch; before: ${f(median(oldSave[many.n]))} a save, ${(median(oldSave[many.n]) / median(save[many.n])).toFixed(1)}x now`
  )
  console.log(`start at ${many.n} batches: ${verdict(startRatio, TARGET_START)} of ${one.n} batch`)

  return {
    batches: SIZES,
    runsPerBatch: RUNS,
    versionsPerSkill: VERSIONS,
    bytes: Object.fromEntries(sizes.map((z) => [z.n, { store: z.newBytes, index: z.indexBytes, oldStoreJson: z.oldBytes }])),
    feedbackSaveMs: Object.fromEntries(
      sizes.map((z) => [
        z.n,
        { median: median(save[z.n]), p95: quantile(save[z.n], 0.95), cpu: median(saveCpu[z.n]), bytesWritten: written[z.n] }
      ])
    ),
    openStoreMs: Object.fromEntries(sizes.map((z) => [z.n, median(open[z.n])])),
    startMs: Object.fromEntries(sizes.map((z) => [z.n, median(start[z.n])])),
    firstListMs: firstList,
    oldSaveMs: Object.fromEntries(sizes.map((z) => [z.n, median(oldSave[z.n])])),
    oldStartMs: Object.fromEntries(sizes.map((z) => [z.n, median(oldStart[z.n])])),
    migrateMs,
    saveRatio,
    startRatio,
    savePass: Number(saveRatio.toFixed(2)) <= TARGET_SAVE,
    startPass: Number(startRatio.toFixed(2)) <= TARGET_START
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchStore().then(
    () => process.exit(0),
    (e) => {
      console.error(e)
      process.exit(1)
    }
  )
}
