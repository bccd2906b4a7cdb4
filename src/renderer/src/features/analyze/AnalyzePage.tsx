/**
 * Step 3: four analysts over a batch's graded runs, each with a live progress line (state, tokens,
 * cost, what it is looking at), its own cancel and retry; then the merge into a skill. Before and
 * after: what the analysts read (the model's window, how much of it the evidence fills, and what was
 * cut to fit, in order, with the runs it touched) and what it costs.
 */
import { Link } from '@tanstack/react-router'
import { MODELS, modelLabel } from '@shared/models'
import { fmtLocalTime } from '../../lib/format'
import { ErrorLine } from '../../components/ErrorLine'
import { AnalysisView } from './AnalysisView'
import { EstimateLine } from './EstimateLine'
import { useAnalysisForm } from './useAnalysisForm'

export function AnalyzePage({ batchId }: { batchId: string }) {
  const {
    batch,
    past,
    skills,
    access,
    startAnalysis,
    setChosen,
    via,
    setVia,
    model,
    setModel,
    mergeModel,
    setMergeModel,
    deepen,
    setDeepen,
    pasted,
    setPasted,
    mobile,
    setMobile,
    estimate,
    current,
    start
  } = useAnalysisForm(batchId)

  if (batch.error) return <ErrorLine error={batch.error.message} retry={() => void batch.refetch()} />
  if (!batch.data) return <div className="muted pad">Loading…</div>
  const runs = batch.data.runs
  const graded = runs.filter((r) => r.feedback?.label)
  const running = current && (current.state === 'analysing' || current.state === 'merging')
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
