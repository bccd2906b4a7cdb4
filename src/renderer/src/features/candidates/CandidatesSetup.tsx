/**
 * "Make candidates" (`#/make-candidates/skill/<id>` from a skill, `#/make-candidates/batch/<id>` from a
 * batch): existing versions of the skill as candidates, or N built first from a graded batch; the
 * variations (fresh, held out, by default), repeats, who grades, the cap; the estimate before; then
 * the candidates page.
 */
import { Link, useNavigate } from '@tanstack/react-router'
import { useState } from 'react'
import { MAX_CANDIDATES, MIN_CANDIDATES } from '@shared/candidates'
import { DEFAULT_CANDIDATES_CAP_USD } from '@shared/candidates-estimate'
import type { RequestInput } from '@shared/contract'
import { parseNumberedList } from '@shared/runs'
import { useApi, useApiMutation } from '../../data/queries'
import { count, fmtCost } from '../../lib/format'
import { ErrorLine } from '../../components/ErrorLine'

type Input = RequestInput<'makeCandidates'>
type Source = 'fresh' | 'batch' | 'pasted'

export function CandidatesSetup({ skillId, batchId }: { skillId?: string; batchId?: string }) {
  const skill = useApi('getSkill', skillId ? { skillId } : null)
  const versions = skill.data?.versions ?? []
  const batches = skill.data?.skill.batchIds ?? []
  const [mode, setMode] = useState<'versions' | 'build'>(skillId ? 'versions' : 'build')
  const [picked, setPicked] = useState<string[]>([])
  const [n, setN] = useState(3)
  const [fromBatch, setFromBatch] = useState(batchId ?? '')
  const [source, setSource] = useState<Source>('fresh')
  const [pasted, setPasted] = useState('')
  const [repeats, setRepeats] = useState(2)
  const [grade, setGrade] = useState<'person' | 'auto' | 'assist'>('person')
  const [cap, setCap] = useState(DEFAULT_CANDIDATES_CAP_USD)
  const [acceptFlagged, setAcceptFlagged] = useState(false)
  const make = useApiMutation('makeCandidates')
  const navigate = useNavigate()

  const items = source === 'pasted' ? parseNumberedList(pasted).items.map((x) => ({ difficulty: x.difficulty, prompt: x.prompt })) : []
  const variations = source === 'pasted' ? { source, items } : { source }
  const build = fromBatch || batches[batches.length - 1] || ''
  const problem =
    mode === 'versions'
      ? picked.length < MIN_CANDIDATES || picked.length > MAX_CANDIDATES
        ? `Pick ${MIN_CANDIDATES} to ${MAX_CANDIDATES} versions.`
        : ''
      : !build
        ? 'No graded batch to build them from.'
        : ''
  const pastedProblem = source === 'pasted' && !items.length ? 'Paste at least one variation (a numbered list).' : ''
  const common = { variations, repeats, grade, capUsd: cap, ...(acceptFlagged ? { acceptFlagged } : {}) }
  const input: Input | null =
    problem || pastedProblem
      ? null
      : mode === 'versions'
        ? ({ ...common, skillId: skillId!, versionIds: picked } as Input)
        : ({ ...common, batchId: build, n, ...(skillId ? { skillId } : {}) } as Input)
  const estimate = useApi('estimateCandidates', input, { keepPrevious: true })
  const e = input ? estimate.data : undefined
  const flagged = !!e?.warnings.some((w) => w.kind === 'flagged')

  const start = () => {
    if (!input || e?.over) return
    make.mutate(input, {
      onSuccess: (view) => void navigate({ to: '/candidates/$verificationId', params: { verificationId: view.verification.id } })
    })
  }

  if (skill.error) return <ErrorLine error={skill.error.message} retry={() => void skill.refetch()} />
  return (
    <section className="page verify-setup candidates-setup" data-testid="candidates-setup">
      <div className="crumbs">
        {skillId ? (
          <Link to="/skill/$skillId" params={{ skillId }}>
            ← {skill.data?.skill.frontMatter.name || 'skill'}
          </Link>
        ) : batchId ? (
          <Link to="/batch/$batchId" params={{ batchId }}>
            ← the batch
          </Link>
        ) : null}
      </div>
      <h1>Make candidates</h1>
      <p className="muted">
        Several versions verified with no skill on the same held-out variations in one blind, interleaved batch; the app suggests one by the
        paired test, never by a raw rate.
      </p>
      <form
        className="card"
        onSubmit={(ev) => {
          ev.preventDefault()
          start()
        }}
      >
        {skillId ? (
          <fieldset>
            <legend>Candidates</legend>
            <label>
              <input type="radio" checked={mode === 'versions'} onChange={() => setMode('versions')} data-testid="mode-versions" /> Existing
              versions
            </label>
            <label>
              <input type="radio" checked={mode === 'build'} onChange={() => setMode('build')} data-testid="mode-build" /> Build new ones
              from a graded batch
            </label>
          </fieldset>
        ) : null}
        {mode === 'versions' ? (
          <fieldset data-testid="pick-versions">
            <legend>
              Versions ({MIN_CANDIDATES} to {MAX_CANDIDATES})
            </legend>
            {versions.map((x) => (
              <label key={x.id}>
                <input
                  type="checkbox"
                  checked={picked.includes(x.id)}
                  onChange={(ev) => setPicked(ev.target.checked ? [...picked, x.id] : picked.filter((p) => p !== x.id))}
                  data-testid={`pick-version-${x.number}`}
                />{' '}
                version {x.number}
                {x.label ? ` · ${x.label}` : ''}
              </label>
            ))}
          </fieldset>
        ) : (
          <fieldset>
            <legend>Build</legend>
            <label>
              How many{' '}
              <input
                type="number"
                min={MIN_CANDIDATES}
                max={MAX_CANDIDATES}
                value={n}
                onChange={(ev) => setN(Number(ev.target.value))}
                data-testid="build-n"
              />
            </label>
            {batches.length > 1 ? (
              <label>
                from batch{' '}
                <select value={build} onChange={(ev) => setFromBatch(ev.target.value)}>
                  {batches.map((id) => (
                    <option key={id} value={id}>
                      {id}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
          </fieldset>
        )}
        <fieldset>
          <legend>Variations</legend>
          <select
            value={source}
            onChange={(ev) => setSource(ev.target.value as Source)}
            data-testid="candidates-source"
            aria-label="Variations"
          >
            <option value="fresh">Fresh ones from the task (held out)</option>
            <option value="batch">The learned batch&apos;s own (not held out: overstates the gain)</option>
            <option value="pasted">Pasted</option>
          </select>
          {source === 'pasted' ? (
            <textarea
              value={pasted}
              onChange={(ev) => setPasted(ev.target.value)}
              placeholder={'1. [normal] A landing page for a bakery\n2. [hard] …'}
              data-testid="candidates-pasted"
              aria-label="Pasted variations"
            />
          ) : null}
          <label>
            Repeats{' '}
            <input
              type="number"
              min={1}
              max={10}
              value={repeats}
              onChange={(ev) => setRepeats(Number(ev.target.value))}
              data-testid="candidates-repeats"
            />
          </label>
          <label>
            Graded by{' '}
            <select
              value={grade}
              onChange={(ev) => setGrade(ev.target.value as 'person' | 'auto' | 'assist')}
              data-testid="candidates-grade"
            >
              <option value="person">You, blind</option>
              <option value="auto">The grader (the task&apos;s rubric)</option>
              <option value="assist">The grader, asking me when it is unsure</option>
            </select>
          </label>
          <label>
            Cap (US$){' '}
            <input
              type="number"
              min={1}
              step={1}
              value={cap}
              onChange={(ev) => setCap(Number(ev.target.value))}
              data-testid="candidates-cap"
            />
          </label>
        </fieldset>
        <div className="verify-estimate" data-testid="candidates-estimate" role="status">
          {problem || pastedProblem ? (
            <span className="muted">{problem || pastedProblem}</span>
          ) : estimate.error ? (
            <span className="error-text">Cannot make them like this: {estimate.error.message}</span>
          ) : e ? (
            <>
              <div data-testid="estimate-runs">
                <strong>
                  {count(e.runs, 'run')}: {count(e.variations, 'variation')} × {count(e.repeats, 'repeat')} × {e.candidates + 1} arms
                </strong>{' '}
                <span className="muted">({e.candidates} candidates and no skill)</span>
              </div>
              <div data-testid="estimate-cost">
                {e.usd === null ? `No cost estimate: ${e.basis}.` : `About ${fmtCost(e.usd)} (${e.basis})`}
              </div>
              <div className={e.over ? 'error-text' : 'muted'} data-testid="estimate-cap">
                {e.over ? `Over the cap of ${fmtCost(e.capUsd)}: raise the cap to make them.` : `Cap: ${fmtCost(e.capUsd)}.`}
              </div>
              {e.warnings.map((w) => (
                <div key={w.text} className="notice notice-warning inline" data-testid="estimate-warning" data-kind={w.kind}>
                  {w.text}
                </div>
              ))}
            </>
          ) : (
            <span className="muted">Working out the runs and the cost…</span>
          )}
        </div>
        {flagged ? (
          <label className="check">
            <input
              type="checkbox"
              checked={acceptFlagged}
              onChange={(ev) => setAcceptFlagged(ev.target.checked)}
              data-testid="accept-flagged"
            />{' '}
            I have read the flagged texts above: install them in the runs
          </label>
        ) : null}
        {make.error ? <ErrorLine error={make.error.message} /> : null}
        <button
          className="primary"
          type="submit"
          disabled={!input || !e || e.over || (flagged && !acceptFlagged) || make.isPending}
          data-testid="make-candidates"
        >
          {make.isPending ? 'Starting…' : mode === 'build' ? `Build ${n} and verify them` : 'Verify them'}
        </button>
      </form>
    </section>
  )
}
