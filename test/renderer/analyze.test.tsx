// @vitest-environment jsdom
/**
 * The analysis page as a person reads it: what the analysts read (the window, how much of it is
 * used, and "Nothing was cut" or the cuts in order with their runs), before starting (from the
 * estimate) and after; each analyst's live "looking at" line and, once it has answered, what it
 * looked at; and evidence badges that open a run at the output file an analyst pointed to, in the
 * review deck, which shows that file.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Analysis, AnalysisEstimate, AnalystStatusInfo, ContextReport } from '../../src/shared/analysis'
import type { RequestOutput } from '../../src/shared/contract'
import type { Run } from '../../src/shared/runs'
import { batchViewOf, testRun } from '../support/builders'
import { mockApi, renderApp } from './render-app'

const run = (n: number, patch: Partial<Run> = {}) =>
  testRun(n, { feedback: { label: n % 2 ? 'good' : 'bad', text: `page ${n}`, updatedAt: '2025-01-01T00:00:00.000Z' }, ...patch })

const NOTHING_CUT: ContextReport = {
  window: 200_000,
  budget: 180_000,
  textTokens: 41_200,
  imageTokens: 9_600,
  promptTokens: 1_500,
  images: 6,
  outputFiles: 14,
  cuts: []
}

const CUT: ContextReport = {
  ...NOTHING_CUT,
  textTokens: 170_000,
  cuts: [
    { step: 'results', label: 'tool results cut to 2,000 characters (head and tail)', amount: 48_200, unit: 'chars', runs: [2, 5] },
    { step: 'steps', label: 'steps without errors left out', amount: 37, unit: 'steps', runs: [4] }
  ]
}

const estimate = (report: ContextReport): AnalysisEstimate => ({
  runs: 6,
  groups: 1,
  model: 'claude-sonnet-4-5',
  mergeModel: 'claude-sonnet-4-5',
  via: 'api',
  condensedTokens: 50_800,
  contextTokens: 52_300,
  instructionTokens: 400,
  report,
  rounds: { expected: 3, max: 6, tokensPerRound: 4000 },
  outputAllowance: 4000,
  analysts: { input: 1600, output: 16_000, cacheRead: 156_900, cacheCreation: 52_300, usd: 0.8 },
  merge: { input: 17_000, output: 4000, cacheRead: 0, cacheCreation: 0, usd: 0.11 },
  usd: 0.91,
  basis: 'the first analyst writes the context to the prompt cache, 3 rounds of looking closer (about 4,000 tokens each)',
  warnings: []
})

const usage = { input: 1200, output: 900, cacheRead: 52_000, cacheCreation: 0 }
const analyst = (kind: AnalystStatusInfo['kind'], patch: Partial<AnalystStatusInfo> = {}): AnalystStatusInfo => ({
  kind,
  state: 'done',
  attempt: 1,
  usage,
  costUsd: 0.21,
  rules: [],
  setAside: [],
  ...patch
})

const analysis = (patch: Partial<Analysis> = {}, report: ContextReport | null = NOTHING_CUT): Analysis => ({
  id: 'a1',
  batchId: 'b1',
  state: 'done',
  via: 'api',
  model: 'claude-sonnet-4-5',
  mergeModel: 'claude-sonnet-4-5',
  runNumbers: [1, 2, 3, 4, 5, 6],
  analysts: [analyst('error'), analyst('success'), analyst('structure'), analyst('edge')],
  context: { runs: 6, tokens: 50_800, rawTokens: 60_000, level: 0, charsCut: 0, stepsOmitted: 0, chunks: 1, report: report ?? undefined },
  merge: { state: 'done', costUsd: 0.1 },
  warnings: [],
  createdAt: '2025-01-01T00:00:00.000Z',
  ...patch
})

function setup(opts: { analyses?: Analysis[]; estimate?: AnalysisEstimate; runs?: Run[] }) {
  const runs = opts.runs ?? [1, 2, 3, 4, 5, 6].map((n) => run(n))
  return mockApi({
    getBatch: () => batchViewOf(runs),
    listAnalyses: () => opts.analyses ?? [],
    listSkills: () => [],
    getModelAccess: () => ({ hasKey: true }) as RequestOutput<'getModelAccess'>,
    estimateAnalysis: () => opts.estimate ?? estimate(NOTHING_CUT),
    getSignals: () => ({ runs: [], batch: { good: 0, bad: 0, ungraded: 0, signals: [] } })
  })
}

afterEach(cleanup)

describe('what the analysts read', () => {
  it('before starting: the estimate with images and rounds, and "Nothing would be cut" with the window used', async () => {
    setup({ estimate: estimate(NOTHING_CUT) })
    renderApp('/analyze/b1')
    const line = await screen.findByText(/About \$0\.91/)
    const est = line.closest('[data-testid=analysis-estimate]') as HTMLElement
    expect(est.textContent).toContain('52k tokens of context, 9.6k of them for 6 screenshots')
    expect(est.textContent).toContain('3 rounds of looking closer expected, up to 6')
    const report = within(est).getByTestId('context-report') as HTMLDetailsElement
    expect(report.textContent).toContain('What the analysts would read')
    // no analysis yet: it is open
    expect(report.open).toBe(true)
    // one figure for the context, the same in the line above: 41,200 text + 9,600 images + 1,500 of the
    // prompt = 52,300 of a 200k window (26%)
    expect(within(report).getByTestId('report-use').textContent).toBe(
      "52k of 200k tokens (26% of claude-sonnet-4-5's window): 41k of text, 9.6k of images (6 screenshots), 1.5k of task, grades and instructions, 14 output files."
    )
    expect(report.querySelector('summary')!.textContent).toContain('52k of 200k tokens')
    expect(within(report).getByTestId('report-nothing-cut').textContent).toMatch(/^Nothing would be cut/)
    expect(within(report).queryByTestId('report-cuts')).toBeNull()
  })

  it('"Mobile screenshots too" asks the estimate and the analysis for them', async () => {
    const api = setup({ estimate: estimate(NOTHING_CUT) })
    api.startAnalysis.mockImplementation(async () => analysis({ state: 'analysing' }))
    renderApp('/analyze/b1')
    await screen.findByText(/About \$0\.91/)
    expect(api.estimateAnalysis).toHaveBeenLastCalledWith(expect.not.objectContaining({ mobile: true }))
    await userEvent.click(screen.getByTestId('analysis-mobile'))
    await waitFor(() => expect(api.estimateAnalysis).toHaveBeenLastCalledWith(expect.objectContaining({ batchId: 'b1', mobile: true })))
    await userEvent.click(screen.getByTestId('start-analysis'))
    await waitFor(() => expect(api.startAnalysis).toHaveBeenCalledWith(expect.objectContaining({ batchId: 'b1', mobile: true })))
  })

  it('before starting: the cuts that would be made, in order, with their runs', async () => {
    setup({ estimate: estimate(CUT) })
    renderApp('/analyze/b1')
    const cuts = await screen.findByTestId('report-cuts')
    expect(screen.getByTestId('context-report').textContent).toContain('this would be cut, in this order')
    const items = within(cuts).getAllByTestId('report-cut')
    expect(items.map((li) => li.getAttribute('data-step'))).toEqual(['results', 'steps'])
    expect(items[0].textContent).toBe('tool results cut to 2,000 characters (head and tail) 48k characters runs 25')
    expect(within(items[1]).getByText('37 steps')).toBeTruthy()
    expect(items[1].textContent).toContain('run 4')
  })

  it('after: the analysis says what was read, nothing cut, and no longer the old "condensed to" line', async () => {
    setup({ analyses: [analysis()] })
    renderApp('/analyze/b1')
    const view = await screen.findByTestId('analysis')
    const report = within(view).getByTestId('context-report')
    expect(report.textContent).toContain('What the analysts read')
    expect(within(report).getByTestId('report-nothing-cut').textContent).toMatch(/^Nothing was cut: every step at full length/)
    expect(view.textContent).not.toContain('condensed to')
  })

  it("a candidate's analysis says its seed; one without a seed says none", async () => {
    setup({ analyses: [analysis({ seed: 2 })] })
    renderApp('/analyze/b1')
    const view = await screen.findByTestId('analysis')
    expect(within(view).getByTestId('analysis-seed').textContent).toBe(' · seed 2')
    cleanup()
    setup({ analyses: [analysis()] })
    renderApp('/analyze/b1')
    expect(within(await screen.findByTestId('analysis')).queryByTestId('analysis-seed')).toBeNull()
  })

  it('after: the cuts listed in order, each run a link into the review deck', async () => {
    setup({ analyses: [analysis({}, CUT)] })
    renderApp('/analyze/b1')
    const view = await screen.findByTestId('analysis')
    const report = within(view).getByTestId('context-report')
    expect(report.textContent).toContain(
      'To fit the 180k tokens left for the evidence (the window less room for the answers), this was cut'
    )
    const items = within(report).getAllByTestId('report-cut')
    expect(items).toHaveLength(2)
    expect(items[0].textContent).toContain('tool results cut to 2,000 characters')
    const links = within(items[0]).getAllByTestId('cut-run')
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['2', '/review/b1/2'],
      ['5', '/review/b1/5']
    ])
    expect(within(items[1]).getByTestId('cut-run').getAttribute('href')).toBe('/review/b1/4')
  })

  it('says how many secrets were redacted, and in which runs, before and after (and nothing when there were none)', async () => {
    const redacted = { ...NOTHING_CUT, redacted: { count: 21, runs: [1, 2, 4] } }
    setup({ analyses: [analysis({}, redacted)], estimate: estimate(redacted) })
    renderApp('/analyze/b1')
    const view = await screen.findByTestId('analysis')
    const after = within(within(view).getByTestId('context-report')).getByTestId('report-redacted')
    expect(after.textContent).toBe(
      '21 secrets (keys, tokens, passwords) were redacted before any model read them, in runs 124 (the runs themselves are kept as they were)'
    )
    expect(
      within(after)
        .getAllByTestId('redacted-run')
        .map((a) => a.getAttribute('href'))
    ).toEqual(['/review/b1/1', '/review/b1/2', '/review/b1/4'])
    const before = within(await screen.findByTestId('analysis-estimate')).getByTestId('report-redacted')
    expect(before.textContent).toMatch(/^21 secrets \(keys, tokens, passwords\) would be redacted/)
    cleanup()
    setup({ analyses: [analysis()] })
    renderApp('/analyze/b1')
    expect(within(await screen.findByTestId('analysis')).queryByTestId('report-redacted')).toBeNull()
  })

  it('an analysis from before full evidence keeps its "condensed to" line', async () => {
    setup({ analyses: [analysis({}, null)] })
    renderApp('/analyze/b1')
    const view = await screen.findByTestId('analysis')
    expect(view.textContent).toContain('condensed to 51k tokens from 60k')
    expect(within(view).queryByTestId('context-report')).toBeNull()
  })
})

describe('runs analysed in groups', () => {
  it('while the analysts work, says what will happen; it is said to have happened only once merged', async () => {
    const context = { ...analysis().context, chunks: 4 }
    setup({ analyses: [analysis({ state: 'analysing', context, analysts: [analyst('error', { state: 'queued' })] })] })
    renderApp('/analyze/b1')
    const view = await screen.findByTestId('analysis')
    expect(view.textContent).toContain('in 4 groups of runs, whose rules will then be consolidated')
    expect(view.textContent).not.toMatch(/were analysed in/)
  })
})

describe('each analyst looking closer', () => {
  it('before the analysts start: how far the evidence is', async () => {
    setup({ analyses: [analysis({ state: 'analysing', preparing: 'Preparing the evidence of 6 runs: screenshots 2 of 6…' })] })
    renderApp('/analyze/b1')
    expect((await screen.findByTestId('analysis-preparing')).textContent).toBe('Preparing the evidence of 6 runs: screenshots 2 of 6…')
  })

  it('while it streams: what it looks at now, and the round', async () => {
    setup({
      analyses: [
        analysis({
          state: 'analysing',
          merge: { state: 'waiting', costUsd: 0 },
          analysts: [
            analyst('error', {
              state: 'streaming',
              rounds: 2,
              maxRounds: 6,
              looking: "Run 7's trace, lines 120-180",
              looks: ['Run 2: index.html']
            }),
            analyst('success', { state: 'streaming' }),
            analyst('structure', { state: 'waiting' }),
            analyst('edge', { state: 'queued' })
          ]
        })
      ]
    })
    renderApp('/analyze/b1')
    await screen.findByTestId('analysis')
    const line = (kind: string) => document.querySelector(`[data-testid=analyst-line][data-kind=${kind}]`) as HTMLElement
    const looking = within(line('error')).getByTestId('analyst-looking')
    expect(looking.textContent).toBe("Looking at Run 7's trace, lines 120-180 · round 2 of 6")
    // the list of what it looked at waits until it has answered
    expect(within(line('error')).queryByTestId('analyst-looks')).toBeNull()
    // an analyst that is not looking closer shows no such line
    expect(within(line('success')).queryByTestId('analyst-looking')).toBeNull()
  })

  it('after it ends: a collapsed "Looked at (N)" list, and its cost beside the estimate per analyst', async () => {
    const user = userEvent.setup()
    const looks = ["Run 7's trace, lines 120-180", 'Run 2: index.html', 'Search for "aria-label" in every run']
    setup({
      estimate: estimate(NOTHING_CUT),
      analyses: [
        analysis({
          analysts: [analyst('error', { rounds: 3, maxRounds: 6, looks }), analyst('success'), analyst('structure'), analyst('edge')]
        })
      ]
    })
    renderApp('/analyze/b1')
    await screen.findByTestId('analysis')
    const line = document.querySelector('[data-testid=analyst-line][data-kind=error]') as HTMLElement
    expect(within(line).queryByTestId('analyst-looking')).toBeNull()
    const list = within(line).getByTestId('analyst-looks') as HTMLDetailsElement
    expect(list.open).toBe(false)
    expect(list.querySelector('summary')!.textContent).toBe('Looked at (3) in 3 rounds of 6')
    await user.click(list.querySelector('summary')!)
    expect(list.open).toBe(true)
    expect([...list.querySelectorAll('li')].map((li) => li.textContent)).toEqual(looks)
    expect(within(line).getByTestId('analyst-cost').textContent).toBe('$0.21')
    // the estimate's analysts ($0.80) shared by four; shown once the estimate (same model, same runs) is there
    await waitFor(() => expect(line.textContent).toContain('(estimated $0.20)'))
    // the estimate's report is folded under the analysis's own
    expect((within(screen.getByTestId('analysis-estimate')).getByTestId('context-report') as HTMLDetailsElement).open).toBe(false)
    // an analyst that did not look closer has no list
    expect(document.querySelector('[data-testid=analyst-line][data-kind=success] [data-testid=analyst-looks]')).toBeNull()
  })
})

describe('evidence that points to an output file', () => {
  it("an analyst's rule badge opens the run at the file; a line still opens the trace line", async () => {
    const user = userEvent.setup()
    setup({
      analyses: [
        analysis({
          analysts: [
            analyst('error', {
              rules: [
                {
                  id: 'r1',
                  analyst: 'error',
                  rule: 'Keep the hero to one call to action',
                  evidence: [2, 4, 6],
                  priority: 'high',
                  reason: 'nine cards in runs 2 and 4',
                  pointers: [
                    { run: 2, file: 'src/index.html' },
                    { run: 4, line: 88 }
                  ]
                }
              ]
            }),
            analyst('success'),
            analyst('structure'),
            analyst('edge')
          ]
        })
      ]
    })
    renderApp('/analyze/b1')
    await screen.findByTestId('analysis')
    await user.click(screen.getByText('Rules (1)'))
    const badges = screen.getAllByTestId('analyst-evidence')
    expect(badges.map((b) => b.getAttribute('href'))).toEqual(['/review/b1/2/file/src/index.html', '/review/b1/4/line/88', '/review/b1/6'])
  })

  it('the review deck at a file shows that file open; one the run does not have is said so', async () => {
    const files: Run['files'] = [
      { path: 'README.md', status: 'modified', bytes: 40, binary: false, diff: '@@ -1 +1 @@\n-old\n+new readme\n' },
      {
        path: 'src/index.html',
        status: 'added',
        bytes: 60,
        binary: false,
        diff: '@@ -0,0 +1,2 @@\n+<h1>Nine cards</h1>\n+<p>too many</p>\n'
      },
      { path: 'data/huge.log', status: 'added', bytes: 2.5e9, binary: false, tooLarge: true }
    ]
    setup({ runs: [run(1), run(2, { files })] })
    const { router } = renderApp('/review/b1/2/file/src/index.html')
    const pointed = await screen.findByTestId('pointed-file')
    expect(screen.getByTestId('deck-run').getAttribute('data-number')).toBe('2')
    expect(pointed.getAttribute('data-path')).toBe('src/index.html')
    expect((pointed as HTMLDetailsElement).open).toBe(true)
    expect(pointed.textContent).toContain('Nine cards')
    expect(pointed.textContent).not.toContain('new readme')

    // a path as claude -p names it (from the evidence folder) finds the same file
    await router.navigate({
      to: '/review/$batchId/$run/file/$',
      params: { batchId: 'b1', run: 2, _splat: 'runs/02/outputs/src/index.html' }
    })
    await waitFor(() => expect(screen.getByTestId('pointed-file').getAttribute('data-path')).toBe('src/index.html'))

    // a file too large for a text diff says so, with its size
    await router.navigate({ to: '/review/$batchId/$run/file/$', params: { batchId: 'b1', run: 2, _splat: 'data/huge.log' } })
    await waitFor(() => expect(screen.getByTestId('pointed-file').getAttribute('data-path')).toBe('data/huge.log'))
    expect(screen.getByTestId('pointed-file').textContent).toContain('Too large for a text diff (2.33 GB).')

    await router.navigate({ to: '/review/$batchId/$run/file/$', params: { batchId: 'b1', run: 2, _splat: 'gone.html' } })
    await waitFor(() => expect(screen.getByTestId('pointed-file').getAttribute('data-found')).toBe('false'))
    expect(screen.getByTestId('pointed-file').textContent).toContain('gone.html')
    // the run itself is still there
    expect(screen.getByTestId('deck-run').getAttribute('data-number')).toBe('2')
  })
})
