/**
 * Step 3: four analysts over a batch's graded runs, each with a live progress line (state, tokens,
 * cost, what it is looking at), its own cancel and retry; then the merge into a skill. Before and
 * after: what the analysts read (the model's window, how much of it the evidence fills, and what was
 * cut to fit, in order, with the runs it touched) and what it costs.
 */
import { useState } from 'react'
import { Link, useNavigate } from '@tanstack/react-router'
import { contextTokensOf, type Analysis, type AnalysisEstimate, type AnalystStatusInfo, type ContextReport } from '@shared/analysis'
import type { RequestInput } from '@shared/contract'
import type { Pointer } from '@shared/skills'
import { DEFAULT_ANALYST_MODEL, MODELS, modelLabel } from '@shared/models'
import { useApi, useApiMutation } from '../data/queries'
import { count, fmtCost, fmtCutAmount, fmtLocalTime, fmtTokens, fmtWindow } from '../lib/format'
import { useDebounced } from '../lib/hooks'
import { ErrorLine } from './ErrorLine'
import { RunBadge, RunBadges } from './RunBadge'

const TITLES: Record<string, string> = {
  error: 'Error analyst',
  success: 'Success analyst',
  structure: 'Structure analyst',
  edge: 'Edge analyst'
}
const FOCUS: Record<string, string> = {
  error: 'root causes of bad runs (2+ runs)',
  success: 'what good runs did that bad ones did not',
  structure: 'tool sequences, step order, verification (2+ runs)',
  edge: 'hard and adversarial runs: guards'
}

export function AnalyzePage({ batchId }: { batchId: string }) {
  const batch = useApi('getBatch', { batchId })
  // this batch's analyses, newest first, kept current by analysisProgress (data/cache.ts)
  const past = useApi('listAnalyses', { batchId })
  const skills = useApi('listSkills', {})
  const access = useApi('getModelAccess', {})
  const startAnalysis = useApiMutation('startAnalysis')
  const [chosen, setChosen] = useState<string | null>(null)
  const [via, setVia] = useState<'api' | 'claude-cli'>('api')
  const [model, setModel] = useState(DEFAULT_ANALYST_MODEL)
  const [mergeModel, setMergeModel] = useState('')
  const [deepen, setDeepen] = useState('')
  const [pasted, setPasted] = useState<string | null>(null)
  const [mobile, setMobile] = useState(false)
  const gradedCount = batch.data?.runs.filter((r) => r.feedback?.label).length ?? 0
  const options: RequestInput<'estimateAnalysis'> = {
    batchId,
    via,
    model: model.trim(),
    mergeModel: mergeModel.trim() || undefined,
    deepenSkillId: deepen && deepen !== 'paste' ? deepen : undefined,
    existingSkillMd: deepen === 'paste' && pasted ? pasted : undefined,
    mobile: mobile || undefined
  }
  // what Analyse would cost with these settings, before anything is started (no model is called),
  // asked once the settings have stopped changing
  const settled = useDebounced(JSON.stringify(options), 300)
  const estimateQuery = useApi(
    'estimateAnalysis',
    gradedCount && model.trim() ? (JSON.parse(settled) as RequestInput<'estimateAnalysis'>) : null,
    { keepPrevious: true }
  )
  const estimate = {
    data: gradedCount && model.trim() ? estimateQuery.data : undefined,
    error: estimateQuery.error?.message,
    loading: estimateQuery.isFetching || settled !== JSON.stringify(options)
  }
  const current = past.data?.find((a) => a.id === chosen) ?? past.data?.[0] ?? null

  if (batch.error) return <ErrorLine error={batch.error.message} retry={() => void batch.refetch()} />
  if (!batch.data) return <div className="muted pad">Loading…</div>
  const runs = batch.data.runs
  const graded = runs.filter((r) => r.feedback?.label)
  const running = current && (current.state === 'analysing' || current.state === 'merging')
  const start = () => startAnalysis.mutate({ ...options, model }, { onSuccess: (a) => setChosen(a.id) })
  return (
    <section className="page analyze" data-testid="analyze">
      <div className="crumbs">
        <Link to="/batch/$batchId" params={{ batchId }}>
          ← {batch.data.batch.name}
        </Link>{' '}
        ·{' '}
        <Link to="/gallery/$batchId" params={{ batchId }}>
          Gallery
        </Link>
      </div>
      <h1>Analyse: four analysts over {graded.length} graded runs</h1>
      {graded.length < runs.filter((r) => r.state !== 'queued' && r.state !== 'running').length ? (
        <div className="muted">
          {runs.length - graded.length} runs are not graded and will be left out.{' '}
          <Link to="/review/$batchId" params={{ batchId }}>
            Grade them
          </Link>
        </div>
      ) : null}
      <div className="card analyze-form">
        <label>
          Model access{' '}
          <select value={via} onChange={(e) => setVia(e.target.value as typeof via)} data-testid="analyze-via">
            <option value="api">Anthropic API{access.data && !access.data.hasKey ? ' (no key yet)' : ''}</option>
            <option value="claude-cli">My Claude Code login (claude -p)</option>
          </select>
        </label>
        <label>
          Model <input value={model} onChange={(e) => setModel(e.target.value)} size={22} aria-label="Model" list="analysis-models" />
          <datalist id="analysis-models">
            {MODELS.map((m) => (
              <option key={m.id} value={m.id}>
                {modelLabel(m)}
              </option>
            ))}
          </datalist>
        </label>
        <label>
          Merge model{' '}
          <input
            value={mergeModel}
            onChange={(e) => setMergeModel(e.target.value)}
            size={18}
            placeholder="same as analysts"
            aria-label="Merge model"
            list="analysis-models"
          />
        </label>
        <label>
          Start from{' '}
          <select value={deepen} onChange={(e) => setDeepen(e.target.value)} aria-label="Start from">
            <option value="">nothing (a new skill)</option>
            {(skills.data ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                deepen {s.frontMatter.name}
              </option>
            ))}
            <option value="paste">a SKILL.md I paste</option>
          </select>
        </label>
        <label title="The desktop screenshots are always shown to the analysts; this adds the mobile ones (more image tokens)">
          <input type="checkbox" checked={mobile} onChange={(e) => setMobile(e.target.checked)} data-testid="analysis-mobile" /> Mobile
          screenshots too
        </label>
        <button
          className="primary"
          disabled={startAnalysis.isPending || !!running || !graded.length}
          onClick={start}
          data-testid="start-analysis"
        >
          {running ? 'Analysing…' : 'Analyse'}
        </button>
        <EstimateLine estimate={estimate} batchId={batchId} folded={!!current} />
        {via === 'api' && access.data && !access.data.hasKey ? (
          <div className="muted">No API key: set ANTHROPIC_API_KEY, paste a key on the task page, or use your Claude Code login.</div>
        ) : null}
        {deepen === 'paste' ? (
          <textarea
            rows={8}
            value={pasted ?? ''}
            onChange={(e) => setPasted(e.target.value)}
            placeholder="Paste the SKILL.md to improve"
            aria-label="Existing SKILL.md"
          />
        ) : null}
        {startAnalysis.error ? <ErrorLine error={startAnalysis.error.message} /> : null}
      </div>
      {current ? <AnalysisView analysis={current} estimate={estimate.data} /> : null}
      {past.data && past.data.length > 1 ? (
        <details className="card">
          <summary>Earlier analyses of this batch ({past.data.length})</summary>
          {past.data.map((a) => (
            <div key={a.id}>
              <button className="ghost" onClick={() => setChosen(a.id)}>
                {fmtLocalTime(a.createdAt)} · {a.state} · {a.model}
              </button>
            </div>
          ))}
        </details>
      ) : null}
    </section>
  )
}

/**
 * "About $0.42 (18.3k tokens of context, 4.1k of them for 6 screenshots, model M; 3 rounds of looking
 * closer expected, up to 6)": what Analyse would cost, on what basis, and what the analysts would read.
 */
function EstimateLine({
  estimate,
  batchId,
  folded
}: {
  estimate: { data?: AnalysisEstimate; error?: string; loading: boolean }
  batchId: string
  /** an analysis is on the page (with its own report): the estimate's report starts folded */
  folded: boolean
}) {
  const e = estimate.data
  if (estimate.error)
    return (
      <div className="muted" data-testid="analysis-estimate">
        No estimate: {estimate.error}
      </div>
    )
  if (!e)
    return estimate.loading ? (
      <div className="muted" data-testid="analysis-estimate">
        Estimating the cost…
      </div>
    ) : null
  const models = e.mergeModel === e.model ? `model ${e.model}` : `model ${e.model}, merge ${e.mergeModel}`
  const images = e.report.images ? `, ${fmtTokens(e.report.imageTokens)} of them for ${count(e.report.images, 'screenshot')}` : ''
  const rounds = e.rounds.max
    ? `; ${count(e.rounds.expected, 'round')} of looking closer expected, up to ${e.rounds.max}`
    : '; no looking closer'
  // the one figure for the context (the report below says the same)
  const context = `${fmtTokens(contextTokensOf(e.report))} tokens of context${images}${e.groups > 1 ? ` in ${e.groups} groups` : ''}, ${models}${rounds}`
  return (
    <div className="estimate" data-testid="analysis-estimate" data-usd={e.usd ?? ''} aria-busy={estimate.loading}>
      <div>
        {e.usd !== null ? (
          <>
            <strong>About {fmtCost(e.usd)}</strong> ({context}).
          </>
        ) : (
          <>
            <strong>No price estimate</strong> ({context}).
          </>
        )}{' '}
        <span className="muted">{e.basis.charAt(0).toUpperCase() + e.basis.slice(1)}.</span>
      </div>
      <ContextReportView report={e.report} model={e.model} batchId={batchId} before folded={folded} />
    </div>
  )
}

/**
 * What the analysts read (or, before starting, would read): the model's window and how much of it the
 * evidence fills (text, screenshots, output files), then "Nothing was cut" or the cuts in the order
 * they were made, each with how much and the runs it touched (badges into the review deck).
 */
export function ContextReportView({
  report: r,
  model,
  batchId,
  before,
  folded
}: {
  report: ContextReport
  model: string
  batchId: string
  /** from the estimate, before starting: "would" (and foldable) */
  before?: boolean
  folded?: boolean
}) {
  const used = contextTokensOf(r)
  const pct = (n: number) => (r.window > 0 ? Math.min(100, (n / r.window) * 100) : 0)
  const share = r.window > 0 ? Math.round((used / r.window) * 100) : 0
  const body = (
    <>
      <div className="report-use">
        <div
          className="report-bar"
          role="meter"
          aria-label="Part of the window used"
          aria-valuemin={0}
          aria-valuemax={r.window}
          aria-valuenow={used}
          title={`${fmtTokens(used)} of ${fmtWindow(r.window)} tokens; up to ${fmtTokens(r.budget)} may go to the evidence (the mark)`}
        >
          <span className="text" style={{ width: `${pct(r.textTokens + (r.promptTokens ?? 0))}%` }} />
          <span className="images" style={{ width: `${pct(r.imageTokens)}%` }} />
          <span className="budget" style={{ left: `${pct(r.budget)}%` }} />
        </div>
        <span data-testid="report-use">
          <strong>
            {fmtTokens(used)} of {fmtWindow(r.window)} tokens
          </strong>{' '}
          ({share < 1 && used > 0 ? 'under 1' : share}% of {model}&apos;s window): {fmtTokens(r.textTokens)} of text
          {r.images ? `, ${fmtTokens(r.imageTokens)} of images (${count(r.images, 'screenshot')})` : ', no screenshots'}
          {r.promptTokens ? `, ${fmtTokens(r.promptTokens)} of task, grades and instructions` : ''}
          {r.outputFiles ? `, ${count(r.outputFiles, 'output file')}` : ', no output files'}.
        </span>
      </div>
      {r.redacted ? (
        <div className="report-redacted" data-testid="report-redacted">
          {count(r.redacted.count, 'secret')} (keys, tokens, passwords) {before ? 'would be' : r.redacted.count === 1 ? 'was' : 'were'}{' '}
          redacted before any model read them, in {r.redacted.runs.length === 1 ? 'run' : 'runs'}{' '}
          {r.redacted.runs.map((n) => (
            <RunBadge key={n} batchId={batchId} n={n} testId="redacted-run" />
          ))}{' '}
          <span className="muted">(the runs themselves are kept as they were)</span>
        </div>
      ) : null}
      {!r.cuts.length ? (
        <div className="report-nothing" data-testid="report-nothing-cut">
          {before ? 'Nothing would be cut' : 'Nothing was cut'}: every step at full length, every output file and screenshot.
        </div>
      ) : (
        <>
          <div className="muted">
            To fit the {fmtTokens(r.budget)} tokens left for the evidence (the window less room for the answers),{' '}
            {before ? 'this would be cut' : 'this was cut'}, in this order:
          </div>
          <ol className="report-cuts" data-testid="report-cuts">
            {r.cuts.map((c, i) => (
              <li key={`${c.step}-${i}`} data-testid="report-cut" data-step={c.step}>
                <span className="cut-label">{c.label}</span> <span className="nums">{fmtCutAmount(c.amount, c.unit)}</span>{' '}
                {c.runs.length ? (
                  <span className="cut-runs">
                    {c.runs.length === 1 ? 'run' : 'runs'}{' '}
                    {c.runs.map((n) => (
                      <RunBadge key={n} batchId={batchId} n={n} testId="cut-run" />
                    ))}
                  </span>
                ) : null}
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  )
  if (!before)
    return (
      <div className="context-report" data-testid="context-report">
        <div className="report-title">What the analysts read</div>
        {body}
      </div>
    )
  return (
    <details className="context-report" data-testid="context-report" data-before="true" open={!folded}>
      <summary className="report-title">
        What the analysts would read
        <span className="muted report-gist">
          {' '}
          · {fmtTokens(used)} of {fmtWindow(r.window)} tokens · {r.cuts.length ? `${count(r.cuts.length, 'cut')} to fit` : 'nothing cut'}
        </span>
      </summary>
      {body}
    </details>
  )
}

function AnalysisView({ analysis: a, estimate }: { analysis: Analysis; estimate?: AnalysisEstimate }) {
  const navigate = useNavigate()
  const cancelAnalysis = useApiMutation('cancelAnalysis')
  const cancelAnalyst = useApiMutation('cancelAnalyst')
  const retryAnalyst = useApiMutation('retryAnalyst')
  const error = cancelAnalysis.error ?? cancelAnalyst.error ?? retryAnalyst.error
  const act = { cancelAnalyst: cancelAnalyst.mutate, retryAnalyst: retryAnalyst.mutate }
  const total = a.analysts.reduce((n, s) => n + s.costUsd, 0) + a.merge.costUsd
  const c = a.context
  // the estimate for these settings, per analyst, beside each analyst's actual cost (when it is for the same model and runs)
  const each =
    estimate && estimate.analysts.usd !== null && estimate.model === a.model && estimate.via === a.via && estimate.runs === c.runs
      ? estimate.analysts.usd / Math.max(1, a.analysts.length)
      : undefined
  return (
    <div className="card analysis" data-testid="analysis" data-state={a.state}>
      <div className="analysis-head">
        <strong>{a.state === 'analysing' ? 'Analysing' : a.state === 'merging' ? 'Merging the rules' : a.state}</strong>
        <span className="muted">
          {c.runs} runs
          {c.report
            ? ''
            : ` · condensed to ${fmtTokens(c.tokens)} tokens from ${fmtTokens(c.rawTokens)}${
                c.level > 0 || c.stepsOmitted
                  ? ` (cut: ${fmtTokens(Math.round(c.charsCut / 4))} tokens of long texts${c.stepsOmitted ? `, ${c.stepsOmitted} steps` : ''})`
                  : ''
              }`}
          {c.chunks > 1
            ? a.state === 'analysing'
              ? ` · in ${c.chunks} groups of runs, whose rules will then be consolidated`
              : ` · in ${c.chunks} groups`
            : ''}{' '}
          · {a.via === 'api' ? 'API' : 'claude -p'} · {a.model} · <span data-testid="analysis-cost">{fmtCost(total)}</span>
        </span>
        {a.state === 'analysing' ? (
          <button onClick={() => cancelAnalysis.mutate({ analysisId: a.id })} data-testid="cancel-analysis">
            Cancel all
          </button>
        ) : null}
      </div>
      {c.report ? <ContextReportView report={c.report} model={a.model} batchId={a.batchId} /> : null}
      {a.preparing && a.state === 'analysing' ? (
        <div className="muted analysis-preparing" role="status" data-testid="analysis-preparing">
          {a.preparing}
        </div>
      ) : null}
      {a.analysts.map((s) => (
        <AnalystLine key={s.kind} s={s} analysis={a} act={act} estimated={each} />
      ))}
      <div className="analyst-line" data-testid="merge-line" data-state={a.merge.state}>
        <strong>Merge</strong> <span className={`badge state-${a.merge.state}`}>{a.merge.state}</span>{' '}
        <span className="muted">{a.merge.error ?? 'groups rules that say the same thing; the app tiers them by evidence'}</span>
      </div>
      {a.warnings.length ? (
        <ul className="warnings">
          {a.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
      {a.skillId ? (
        <button
          className="primary"
          onClick={() => void navigate({ to: '/skill/$skillId', params: { skillId: a.skillId! } })}
          data-testid="open-skill"
        >
          Open the skill →
        </button>
      ) : null}
      {error ? <ErrorLine error={error.message} /> : null}
    </div>
  )
}

type AnalystActions = { cancelAnalyst: (i: RequestInput<'cancelAnalyst'>) => void; retryAnalyst: (i: RequestInput<'retryAnalyst'>) => void }

function AnalystLine({
  s,
  analysis,
  act,
  estimated
}: {
  s: AnalystStatusInfo
  analysis: Analysis
  act: AnalystActions
  /** the estimate's cost per analyst, for comparison */
  estimated?: number
}) {
  const idle = analysis.state !== 'analysing' && analysis.state !== 'merging'
  const live = s.state === 'streaming'
  const ended = s.state === 'done' || s.state === 'failed' || s.state === 'cancelled'
  const round = s.maxRounds && s.rounds ? `round ${s.rounds} of ${s.maxRounds}` : ''
  return (
    <div className="analyst-line" data-testid="analyst-line" data-kind={s.kind} data-state={s.state}>
      <strong>{TITLES[s.kind]}</strong> <span className={`badge state-${s.state}`}>{s.state}</span>
      <span className="muted">
        {s.state === 'waiting' ? 'starts when the first has begun (shared cache)' : FOCUS[s.kind]}
        {s.chunks ? ` · ${s.chunksDone}/${s.chunks} groups` : ''}
      </span>
      <span className="nums">
        {fmtTokens(s.usage.input + s.usage.cacheRead + s.usage.cacheCreation)} in
        {s.usage.cacheRead ? ` (${fmtTokens(s.usage.cacheRead)} cached)` : ''} · {fmtTokens(s.usage.output)} out ·{' '}
        <span data-testid="analyst-cost" title={s.state === 'done' ? 'what this analyst cost' : 'so far'}>
          {fmtCost(s.costUsd)}
        </span>
        {ended && estimated !== undefined ? (
          <span className="estimated" title="the estimate before starting, per analyst (the four analysts' share, averaged)">
            {' '}
            (estimated {fmtCost(estimated)})
          </span>
        ) : null}
      </span>
      {s.state === 'done' ? (
        <span>
          {s.rules.length} rule{s.rules.length === 1 ? '' : 's'}
          {s.setAside.length ? `, ${s.setAside.length} set aside` : ''}
        </span>
      ) : s.drafts?.length ? (
        <span>{s.drafts.length} written so far</span>
      ) : null}
      {s.error && s.state !== 'cancelled' ? <span className="error-text">{s.error}</span> : null}
      {s.state === 'streaming' || s.state === 'waiting' ? (
        <button className="ghost" onClick={() => act.cancelAnalyst({ analysisId: analysis.id, kind: s.kind })}>
          Cancel
        </button>
      ) : null}
      {idle && (s.state === 'failed' || s.state === 'cancelled') ? (
        <button onClick={() => act.retryAnalyst({ analysisId: analysis.id, kind: s.kind })} data-testid="retry-analyst">
          Retry
        </button>
      ) : null}
      {live && (s.looking || round) ? (
        <div className="analyst-looking" data-testid="analyst-looking">
          {s.looking ? (
            <>
              Looking at <span className="what">{s.looking}</span>
            </>
          ) : (
            'Reading what it looked at'
          )}
          {round ? <span className="muted"> · {round}</span> : null}
        </div>
      ) : null}
      {!live && s.looks?.length ? (
        <details className="analyst-looks" data-testid="analyst-looks">
          <summary>
            Looked at ({s.looks.length}){s.rounds ? ` in ${count(s.rounds, 'round')}${s.maxRounds ? ` of ${s.maxRounds}` : ''}` : ''}
          </summary>
          <ol>
            {s.looks.map((l, i) => (
              <li key={i}>{l}</li>
            ))}
          </ol>
        </details>
      ) : null}
      <AnalystRules s={s} batchId={analysis.batchId} />
    </div>
  )
}

/** One analyst's rules where they are produced: drafts while it writes, then the accepted ones and those set aside (with why). */
function AnalystRules({ s, batchId }: { s: AnalystStatusInfo; batchId: string }) {
  const drafts = s.drafts ?? []
  const showDrafts = !s.rules.length && drafts.length > 0
  if (!s.rules.length && !s.setAside.length && !drafts.length) return null
  // coloured by grade, a long list collapsed
  const runs = (evidence: number[], pointers?: Pointer[]) => (
    <RunBadges batchId={batchId} runs={evidence} pointers={pointers} testId="analyst-evidence" counts={false} />
  )
  return (
    <details className="analyst-rules" data-testid="analyst-rules">
      <summary>
        {showDrafts
          ? `Rules written so far (${drafts.length}; checked when the analyst finishes)`
          : `Rules (${s.rules.length})${s.setAside.length ? ` and set aside (${s.setAside.length})` : ''}`}
      </summary>
      {showDrafts ? (
        <ol className="rule-list drafts">
          {drafts.map((d, i) => (
            <li key={i} data-testid="analyst-draft">
              {d.rule} <span className="evidence">{runs(d.evidence)}</span>
            </li>
          ))}
        </ol>
      ) : null}
      {s.rules.length ? (
        <ol className="rule-list">
          {s.rules.map((r) => (
            <li key={r.id} data-testid="analyst-rule">
              {r.rule} <span className="evidence">{runs(r.evidence, r.pointers)}</span>{' '}
              <span className={`badge prio-${r.priority}`}>{r.priority}</span>
              {r.reason ? <div className="muted small">{r.reason}</div> : null}
            </li>
          ))}
        </ol>
      ) : null}
      {s.setAside.length ? (
        <>
          <div className="label">Set aside</div>
          <ul className="rule-list set-aside">
            {s.setAside.map((x) => (
              <li key={x.rule.id} data-testid="set-aside-rule">
                <q>{x.rule.rule}</q> <span className="evidence">{runs(x.rule.evidence, x.rule.pointers)}</span>{' '}
                <span className="why">{x.why}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </details>
  )
}
