/**
 * The grader's agreement by cross-validation, with the real SDK against a scripted grader: the folds
 * never let a run's own sentence into the rubric that judges it (read off the requests the scripted
 * model received), a grader right on a known share of runs gives the hand-computed figures, below the
 * threshold the report says not to trust it and why; the grader sees screenshots as images and files,
 * never a trace; a cancel reaches the model call in flight.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Jimp } from 'jimp'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { apiModel } from '../../src/main/analysts/model'
import { crossValidate, type GradedRun } from '../../src/main/grading/cross-validate'
import { gradeRun, loadRunToGrade, type RunToGrade } from '../../src/main/grading/grade'
import { testRun } from '../support/builders'
import { graderScript, textOf, toolOf } from '../support/grader-script'
import { startModelServer, type ModelServer } from '../support/model-server'

/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/** Runs 1-10 graded good, 11-20 bad, each with a sentence of its own. */
const RUNS = Array.from({ length: 20 }, (_, i) => i + 1)
const labelOf = (n: number) => (n <= 10 ? ('good' as const) : ('bad' as const))
const sentenceOf = (n: number) => `reason-${n} seen only in run ${n}`

const graded = (): GradedRun[] =>
  RUNS.map((n) => ({
    id: `run-${n}`,
    number: n,
    label: labelOf(n),
    text: sentenceOf(n),
    load: async (): Promise<RunToGrade> => ({
      id: `run-${n}`,
      number: n,
      prompt: `Build page ${n}.`,
      result: `Made page ${n}.`,
      outputs: [],
      images: []
    })
  }))

const grader = (wrong: Set<number>) => graderScript(labelOf, wrong)

let server: ModelServer | undefined
const dirs: string[] = []
afterEach(async () => {
  await server?.close()
  server = undefined
})
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

describe('cross-validation', () => {
  it("never lets a run's own sentence into the rubric that judges it", async () => {
    server = await startModelServer(grader(new Set()))
    const progress: number[] = []
    const { report } = await crossValidate({
      port: apiModel({ apiKey: 'k', baseURL: server.url }),
      model: 'claude-test',
      task: { name: 'Landing page', text: '' },
      runs: graded(),
      signal: new AbortController().signal,
      onProgress: (p) => progress.push(p.done)
    })
    const rubricRequests = server.requests.filter((r) => toolOf(r.body) === 'write_rubric')
    const gradeRequests = server.requests.filter((r) => toolOf(r.body) === 'grade_output')
    // 5 folds of 4 runs: 5 rubrics, each from the 16 other runs' sentences; 20 grades
    expect(rubricRequests).toHaveLength(5)
    expect(gradeRequests).toHaveLength(20)
    expect(report.folds.map((f) => f.runs.length)).toEqual([4, 4, 4, 4, 4])
    expect(progress).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
    const seen = new Set<number>()
    for (const r of gradeRequests) {
      const text = textOf(r.body)
      const n = Number(text.match(/\(Run (\d+)\)/)![1])
      seen.add(n)
      const from = text
        .match(/learned from runs ([\d,]+)/)![1]
        .split(',')
        .map(Number)
      expect(from).toHaveLength(16)
      expect(from).not.toContain(n)
      // nor its sentence, in any words
      expect(text).not.toContain(sentenceOf(n))
      // the person's own grade never reaches the grader
      expect(text).not.toMatch(/Run \d+: (good|bad) - /)
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(RUNS)
    // every rubric request holds exactly the sentences of the runs outside its fold
    for (const [i, f] of report.folds.entries()) {
      const text = textOf(rubricRequests[i].body)
      for (const n of RUNS) expect(text.includes(sentenceOf(n))).toBe(!f.runs.includes(n))
    }
    expect(report.agreement).toMatchObject({ n: 20, agreed: 20, accuracy: 1, kappa: 1 })
  })

  it('a grader wrong on runs 3, 7 and 12: accuracy 0.85, kappa 0.7, trusted; the three disagreements with its reasons', async () => {
    // person good 10: grader good 8, bad 2 (runs 3, 7); person bad 10: grader good 1 (run 12), bad 9
    // po = 17/20 = 0.85; pe = 0.5*0.45 + 0.5*0.55 = 0.5; kappa = (0.85 - 0.5) / 0.5 = 0.7
    server = await startModelServer(grader(new Set([3, 7, 12])))
    const { report, costUsd } = await crossValidate({
      port: apiModel({ apiKey: 'k', baseURL: server.url }),
      model: 'claude-test',
      task: { name: 'Landing page', text: '' },
      runs: graded(),
      signal: new AbortController().signal
    })
    expect(report.agreement.confusion).toEqual({ goodGood: 8, goodBad: 2, badGood: 1, badBad: 9 })
    expect(report.agreement.accuracy).toBeCloseTo(0.85, 12)
    expect(report.agreement.kappa).toBeCloseTo(0.7, 12)
    expect(report.trust).toEqual({ trusted: true, reasons: [] })
    expect(report.disagreements.map((d) => [d.number, d.person, d.grader, d.reason])).toEqual([
      [3, 'good', 'bad', 'run 3 looks bad'],
      [7, 'good', 'bad', 'run 7 looks bad'],
      [12, 'bad', 'good', 'run 12 looks good']
    ])
    const d3 = report.disagreements[0]
    expect(d3.personText).toBe(sentenceOf(3))
    expect(d3.verdicts).toEqual([
      { assertionId: expect.any(String), verdict: 'fail', evidence: "page 3's hero", text: expect.stringMatching(/^learned from runs /) }
    ])
    expect(report.folds.find((f) => f.runs.includes(3))!.runs).toContain(3)
    expect(costUsd).toBeGreaterThanOrEqual(0)
  })

  it('a grader right on 15 of 20: not to be trusted, and why', async () => {
    // person good 10: grader good 7, bad 3 (runs 1, 2, 3); person bad 10: grader good 2 (runs 11, 12), bad 8
    // po = 0.75; grader good 9/20 = 0.45; pe = 0.5*0.45 + 0.5*0.55 = 0.5; kappa = (0.75 - 0.5) / 0.5 = 0.5
    server = await startModelServer(grader(new Set([1, 2, 3, 11, 12])))
    const { report } = await crossValidate({
      port: apiModel({ apiKey: 'k', baseURL: server.url }),
      model: 'claude-test',
      task: { name: 'Landing page', text: '' },
      runs: graded(),
      signal: new AbortController().signal
    })
    expect(report.agreement.accuracy).toBeCloseTo(0.75, 12)
    expect(report.agreement.kappa).toBeCloseTo(0.5, 12)
    expect(report.trust.trusted).toBe(false)
    expect(report.trust.reasons).toEqual([
      'accuracy 75% is below 80%: it disagrees with you on 5 of 20 runs',
      'kappa 0.50 is below 0.6: its agreement with you is not much beyond chance'
    ])
  })

  it('fewer runs than folds: one run per fold; fewer than 2 runs is refused', async () => {
    server = await startModelServer(grader(new Set()))
    const three = graded().filter((r) => [1, 2, 11].includes(r.number))
    const { report } = await crossValidate({
      port: apiModel({ apiKey: 'k', baseURL: server.url }),
      model: 'claude-test',
      task: { name: 'Landing page', text: '' },
      runs: three,
      signal: new AbortController().signal
    })
    expect(report.folds.map((f) => f.runs.length)).toEqual([1, 1, 1])
    expect(report.trust.reasons[0]).toMatch(/only 3 runs graded by both/)
    await expect(
      crossValidate({
        port: apiModel({ apiKey: 'k', baseURL: server.url }),
        model: 'claude-test',
        task: { name: 'x', text: '' },
        runs: three.slice(0, 1),
        signal: new AbortController().signal
      })
    ).rejects.toThrow(/at least 2 graded runs/)
  })

  it('a cancel reaches the model call in flight and ends the work', async () => {
    const controller = new AbortController()
    const inner = grader(new Set())
    server = await startModelServer((req) => {
      // the third request (a grade) is held until the cancel
      if (req.index === 2) {
        controller.abort()
        return { ...inner(req), delayMs: 5000 }
      }
      return inner(req)
    })
    await expect(
      crossValidate({
        port: apiModel({ apiKey: 'k', baseURL: server.url, maxRetries: 0 }),
        model: 'claude-test',
        task: { name: 'x', text: '' },
        runs: graded(),
        signal: controller.signal,
        concurrency: 1
      })
    ).rejects.toThrow(/abort/i)
    expect(server.requests).toHaveLength(3)
  })
})

describe('what the grader sees', () => {
  it("a run's screenshot as an image, its files and its final answer; an answer missing an assertion is asked for again", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-grade-'))
    dirs.push(dataDir)
    const ws = join(dataDir, 'ws')
    await mkdir(ws)
    await writeFile(join(ws, 'index.html'), '<h1>Acme</h1><button>Buy</button><button>Try</button>')
    const shotDir = join(dataDir, 'runs', 'r1', 'screenshots')
    await mkdir(shotDir, { recursive: true })
    const png = join(shotDir, 'desktop.png')
    await writeFile(png, await new Jimp({ width: 1280, height: 800, color: 0xffffffff }).getBuffer('image/png'))
    const run = testRun(1, {
      id: 'r1',
      workspace: ws,
      result: 'Made the Acme page.',
      files: [{ path: 'index.html', status: 'added', bytes: 60, binary: false }],
      screenshots: [{ html: 'index.html', shots: [{ label: 'desktop', file: png, width: 1280, height: 800 } as never] }]
    })
    const view = await loadRunToGrade(run, dataDir)
    expect(view.images).toHaveLength(1)
    let calls = 0
    server = await startModelServer(() => {
      calls++
      const verdicts = [{ assertion_id: 'A1', verdict: 'fail', evidence: 'index.html has two buttons' }]
      // first answer leaves out A2
      if (calls === 2) verdicts.push({ assertion_id: 'A2', verdict: 'n/a', evidence: 'no cards' })
      return { toolUses: [{ name: 'grade_output', input: { verdicts, label: 'bad', reason: 'two CTAs' } }] }
    })
    const assertions = [
      { id: 'x1', text: 'At most one call-to-action button', runs: [2], by: 'model' as const },
      { id: 'x2', text: 'No grid of more than four cards', runs: [3], by: 'model' as const }
    ]
    const { grade } = await gradeRun(
      apiModel({ apiKey: 'k', baseURL: server.url }),
      'claude-test',
      view,
      assertions,
      new AbortController().signal
    )
    expect(grade).toEqual({
      runId: 'r1',
      number: 1,
      label: 'bad',
      reason: 'two CTAs',
      verdicts: [
        { assertionId: 'x1', verdict: 'fail', evidence: 'index.html has two buttons' },
        { assertionId: 'x2', verdict: 'n/a', evidence: 'no cards' }
      ]
    })
    expect(server.requests).toHaveLength(2)
    const first = server.requests[0].body.messages[0].content
    expect(first.filter((b: any) => b.type === 'image')).toHaveLength(1)
    const text = textOf(server.requests[0].body)
    expect(text).toContain('<h1>Acme</h1><button>Buy</button><button>Try</button>')
    expect(text).toContain('Made the Acme page.')
    expect(text).toContain('[A1] At most one call-to-action button')
    expect(textOf(server.requests[1].body)).toMatch(/rejected: no verdict for A2/)
  })
})
