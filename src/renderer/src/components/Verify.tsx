/**
 * Step 5: does the skill make runs better? The setup (`#/verify/<skill>`): the version, what it is
 * compared against, the variations, repeats and run settings, with what it would be (runs, cost, cap,
 * warnings) before it starts. The verification (`#/verification/<id>`): where it is, live, with cancel
 * and resume; the blind deck of its runs; its report (pass rates with intervals, the paired test, by
 * difficulty, cost, turns, tool errors, whether Claude Code loaded the skill, warnings); the pairs the
 * skill fixed and broke with their explanations; deepening into the next version. And the pass rate
 * per version across rounds, as a chart.
 */
import { useMemo, useState, type ReactNode } from 'react'
import { Link, useNavigate } from '@tanstack/react-router'
import type { RequestInput } from '@shared/contract'
import { DEFAULT_ANALYST_MODEL, RUN_MODEL_DEFAULT_LABEL } from '@shared/models'
import { parseDomains, parseNumberedList, RunSettingsSchema, type PermissionPreset } from '@shared/runs'
import {
  pairName,
  triggerJudged,
  triggerLow,
  type ArmStats,
  type Explanation,
  type VerificationView,
  type VerifyEstimate,
  type VerifyPair,
  type VerifyReport,
  type VerifySettings
} from '@shared/verify'
import { useApi, useApiMutation } from '../data/queries'
import { count, fmtCost, fmtDuration, fmtLocalTime, oneLine } from '../lib/format'
import { useDebounced } from '../lib/hooks'
import { useShortcut } from '../lib/hotkeys'
import {
  armName,
  chartPoints,
  fmtDifference,
  fmtP,
  fmtPassRate,
  fmtRateShort,
  pct,
  pWords,
  STAGE_WORDS,
  statusLine,
  type ChartPoint
} from '../lib/verify'
import { ErrorLine } from './ErrorLine'
import { RunBadge } from './RunBadge'
import { ClaudeCheckLine, PresetChoice, PresetLine } from './RunPermissions'
import { CLAUDE_CHECK_DELAY_MS, ModelOptions } from './Tasks'

const RUN_DEFAULTS = RunSettingsSchema.parse({})

type Source = 'fresh' | 'batch' | 'pasted'

/** A whole number typed in a field, or undefined when it is empty (the setting is then inherited). */
const wholeOrUndefined = (text: string, min: number, max: number): number | undefined | null => {
  if (!text.trim()) return undefined
  const n = Number(text)
  return Number.isInteger(n) && n >= min && n <= max ? n : null
}

// ---------------------------------------------------------------------------------------------------
// The setup

export function VerifySetup({ skillId }: { skillId: string }) {
  const skill = useApi('getSkill', { skillId })
  const access = useApi('getModelAccess', {})
  const pre = useApi('checkSandbox', {})
  // the runs it was learned from: the settings a verification starts from (an empty field keeps theirs)
  const learnedId = skill.data?.skill.batchIds[skill.data.skill.batchIds.length - 1]
  const learned = useApi('getBatch', learnedId ? { batchId: learnedId } : null)
  const inherited = learned.data && learned.data.runs.some((r) => !r.imported) ? learned.data.batch.settings : null
  const startVerification = useApiMutation('startVerification')
  const navigate = useNavigate()

  const versions = useMemo(() => (skill.data?.versions ?? []).slice().sort((a, b) => b.number - a.number), [skill.data])
  const [versionPick, setVersionPick] = useState('')
  const [againstPick, setAgainstPick] = useState('none')
  const [source, setSource] = useState<Source>('fresh')
  const [pasteText, setPasteText] = useState('')
  const [repeatsText, setRepeatsText] = useState('2')
  const [model, setModel] = useState('')
  const [turnsText, setTurnsText] = useState('')
  const [concurrencyText, setConcurrencyText] = useState('')
  const [budgetText, setBudgetText] = useState('')
  const [claudePath, setClaudePath] = useState('')
  const [picked, setPicked] = useState<PermissionPreset | null>(null)
  const [domainsText, setDomainsText] = useState('')

  const versionId = versions.some((v) => v.id === versionPick) ? versionPick : (versions[0]?.id ?? '')
  const against = againstPick !== versionId && versions.some((v) => v.id === againstPick) ? againstPick : 'none'
  const pasted = useMemo(() => (source === 'pasted' ? parseNumberedList(pasteText) : null), [source, pasteText])
  const repeats = wholeOrUndefined(repeatsText, 1, 10)
  const maxTurns = wholeOrUndefined(turnsText, 1, 1000)
  const concurrency = wholeOrUndefined(concurrencyText, 1, 16)
  const budget = budgetText.trim() ? Number(budgetText) : undefined
  const budgetBad = budget !== undefined && !(budget > 0 && budget <= 10_000)
  // the permissions of the runs it was learned from where they work here, else this machine's default
  const learnedPreset = inherited && pre.data?.presets[inherited.permission].available ? inherited.permission : null
  const preset = picked ?? learnedPreset ?? pre.data?.defaultPreset ?? null
  const usable = preset && pre.data ? pre.data.presets[preset] : null
  const domains = useMemo(() => parseDomains(domainsText), [domainsText])

  const problems = [
    repeats === null || repeats === undefined ? 'Repeats per arm: a whole number from 1 to 10.' : '',
    maxTurns === null ? 'Max turns: a whole number from 1 to 1000 (or empty).' : '',
    concurrency === null ? 'Runs at once: a whole number from 1 to 16 (or empty).' : '',
    budgetBad ? 'Spending cap per run: a number of dollars above 0 (or empty).' : '',
    preset === 'sandboxed' && domains.errors.length ? domains.errors[0] : '',
    pasted && (pasted.errors.length || !pasted.items.length) ? 'Fix the pasted list first (its problems are shown under it).' : ''
  ].filter(Boolean)

  const settings: VerifySettings = {
    ...(preset ? { permission: preset } : {}),
    ...(model.trim() ? { model: model.trim() } : {}),
    ...(maxTurns ? { maxTurns } : {}),
    ...(concurrency ? { concurrency } : {}),
    ...(budget && !budgetBad ? { maxBudgetUsd: budget } : {}),
    ...(claudePath.trim() ? { claudePath: claudePath.trim() } : {}),
    ...(preset === 'sandboxed' && domains.domains.length ? { allowedDomains: domains.domains } : {})
  }
  const input: RequestInput<'startVerification'> | null =
    versionId && !problems.length
      ? {
          skillId,
          versionId,
          against,
          variations: source === 'pasted' ? { source, items: pasted!.items } : { source },
          repeats: repeats!,
          settings
        }
      : null

  // what it would be, asked once the form has stopped changing
  const key = input ? JSON.stringify(input) : ''
  const settled = useDebounced(key, 300)
  const estimate = useApi('estimateVerification', settled ? (JSON.parse(settled) as RequestInput<'estimateVerification'>) : null, {
    keepPrevious: true
  })
  const estimating = settled !== key || estimate.isFetching

  // the claude binary runs are started with: checked once the field has settled
  const path = claudePath.trim() || inherited?.claudePath || ''
  const settledPath = useDebounced(path, CLAUDE_CHECK_DELAY_MS)
  const check = useApi('checkClaude', { path: settledPath || undefined })
  const claudeBad = settledPath === path && !!check.data && !check.data.ok

  // a version with flagged texts (a command, a URL, text copied from a run) is installed only once the person ticked that they read them
  const [acceptFlagged, setAcceptFlagged] = useState(false)
  const flagged = !!estimate.data?.warnings.some((w) => w.kind === 'flagged')
  const canStart =
    !!input &&
    !startVerification.isPending &&
    !!usable?.available &&
    !claudeBad &&
    (!learnedId || !!learned.data || !!learned.error) &&
    (!flagged || acceptFlagged)
  const start = () => {
    if (!canStart || !input) return
    startVerification.mutate(flagged ? { ...input, acceptFlagged } : input, {
      onSuccess: (view) => void navigate({ to: '/verification/$verificationId', params: { verificationId: view.verification.id } })
    })
  }
  useShortcut('verify.start', (e) => {
    e.preventDefault()
    start()
  })

  if (skill.error) return <ErrorLine error={skill.error.message} retry={() => void skill.refetch()} />
  if (!skill.data) return <div className="muted pad">Loading…</div>
  const name = skill.data.skill.frontMatter.name || 'this skill'
  const inheritedNote = (value: string) => `${value} (as the runs it was learned from)`
  return (
    <section className="page verify-setup" data-testid="verify-setup">
      <div className="crumbs">
        <Link to="/skill/$skillId" params={{ skillId }}>
          ← {name}
        </Link>
      </div>
      <h1>Verify {name}: does it make runs better?</h1>
      <p className="muted">
        The same variations run with the skill installed and without it (or with another version), in one shuffled queue. You grade every
        run blind, in one deck where nothing says which run had the skill; then the report compares the two with numbers.
      </p>
      {!versions.length ? (
        <div className="notice notice-warning inline" data-testid="no-version">
          This skill has no saved version yet: save it in the composer first (Save version), then verify that version.
        </div>
      ) : null}
      <div className="card form">
        <div className="grid-form">
          <label>
            Version to verify
            <select
              value={versionId}
              onChange={(e) => setVersionPick(e.target.value)}
              data-testid="verify-version"
              aria-label="Version to verify"
            >
              {versions.map((v, i) => (
                <option key={v.id} value={v.id}>
                  Version {v.number}
                  {i === 0 ? ' (newest)' : ''}
                  {v.label ? ` · ${v.label}` : ''}
                </option>
              ))}
            </select>
          </label>
          <label>
            Compare it with
            <select
              value={against}
              onChange={(e) => setAgainstPick(e.target.value)}
              data-testid="verify-against"
              aria-label="Compare it with"
            >
              <option value="none">No skill</option>
              {versions
                .filter((v) => v.id !== versionId)
                .map((v) => (
                  <option key={v.id} value={v.id}>
                    Version {v.number}
                  </option>
                ))}
            </select>
          </label>
          <label>
            Repeats per arm
            <input
              type="number"
              min={1}
              max={10}
              value={repeatsText}
              onChange={(e) => setRepeatsText(e.target.value)}
              data-testid="verify-repeats"
              aria-label="Repeats per arm"
            />
          </label>
        </div>
        <fieldset className="presets" data-testid="verify-source">
          <legend>Variations</legend>
          <label className="check">
            <input type="radio" name="source" checked={source === 'fresh'} onChange={() => setSource('fresh')} data-testid="source-fresh" />
            <span>
              <strong>Fresh variations, same mix</strong>: new prompts in the mix of the analysed batch, never the ones the skill was
              learned from (held out: the honest test).
            </span>
          </label>
          <label className="check">
            <input type="radio" name="source" checked={source === 'batch'} onChange={() => setSource('batch')} data-testid="source-batch" />
            <span>
              <strong>The analysed batch&apos;s own</strong>{' '}
              <span className="badge warn" data-testid="not-held-out">
                not held out: overstates the gain
              </span>
              : the prompts the skill was learned from.
            </span>
          </label>
          <label className="check">
            <input
              type="radio"
              name="source"
              checked={source === 'pasted'}
              onChange={() => setSource('pasted')}
              data-testid="source-pasted"
            />
            <span>
              <strong>Paste</strong> a numbered list of prompts.
            </span>
          </label>
          {source === 'pasted' ? (
            <>
              <textarea
                rows={6}
                value={pasteText}
                onChange={(e) => setPasteText(e.target.value)}
                placeholder={'1. [easy] Build…\n2. [hard] Build… with…'}
                aria-label="Numbered list of variations"
                data-testid="verify-paste"
              />
              <div data-testid="paste-problems">
                {pasted?.errors.map((e) => (
                  <div key={e} className="error-text">
                    {e}
                  </div>
                ))}
              </div>
              {pasted && !pasted.errors.length && pasted.items.length ? (
                <div className="muted">{count(pasted.items.length, 'variation')} read from the list.</div>
              ) : null}
            </>
          ) : null}
        </fieldset>
        {source === 'fresh' && access.data && !access.data.hasKey ? (
          <div className="notice notice-warning inline" data-testid="no-api-key">
            Writing fresh variations needs an Anthropic API key: set ANTHROPIC_API_KEY, or paste a key on a task&apos;s page. Or paste
            variations instead.
          </div>
        ) : null}
        <details className="verify-settings" open>
          <summary>Run settings (both arms get the same; an empty field keeps the settings of the runs it was learned from)</summary>
          <div className="grid-form">
            <label>
              Model{' '}
              <input
                value={model}
                onChange={(e) => setModel(e.target.value)}
                placeholder={inheritedNote(inherited?.model || RUN_MODEL_DEFAULT_LABEL)}
                list="verify-models"
                aria-label="Run model"
                data-testid="verify-model"
              />
              <ModelOptions id="verify-models" />
            </label>
            <label>
              Max turns{' '}
              <input
                type="number"
                min={1}
                max={1000}
                value={turnsText}
                onChange={(e) => setTurnsText(e.target.value)}
                placeholder={inheritedNote(String(inherited?.maxTurns ?? RUN_DEFAULTS.maxTurns))}
                aria-label="Max turns"
                data-testid="verify-turns"
              />
            </label>
            <label>
              Runs at once{' '}
              <input
                type="number"
                min={1}
                max={16}
                value={concurrencyText}
                onChange={(e) => setConcurrencyText(e.target.value)}
                placeholder={inheritedNote(String(inherited?.concurrency ?? RUN_DEFAULTS.concurrency))}
                aria-label="Runs at once"
                data-testid="verify-concurrency"
              />
            </label>
            <label>
              Spending cap per run ($){' '}
              <input
                type="number"
                min={0}
                step="0.5"
                value={budgetText}
                onChange={(e) => setBudgetText(e.target.value)}
                placeholder={inheritedNote(inherited?.maxBudgetUsd ? `$${inherited.maxBudgetUsd}` : 'none')}
                aria-label="Spending cap per run"
                data-testid="verify-budget"
              />
            </label>
            <label>
              claude binary{' '}
              <input
                value={claudePath}
                onChange={(e) => setClaudePath(e.target.value)}
                placeholder={inheritedNote(inherited?.claudePath || 'claude on PATH')}
                aria-label="claude binary"
                data-testid="verify-claude-path"
              />
            </label>
          </div>
          <PresetChoice
            prefix="verify-"
            preset={preset}
            pick={setPicked}
            pre={pre}
            noteFor={(p) =>
              learnedPreset === p ? ' (as the runs it was learned from)' : pre.data?.defaultPreset === p ? ' (default here)' : ''
            }
            usable={usable}
            domainsText={domainsText}
            setDomainsText={setDomainsText}
            domainErrors={domains.errors}
            domainsPlaceholder={inherited?.allowedDomains?.length ? inheritedNote(inherited.allowedDomains.join(', ')) : 'no network'}
          />
          <div className="preflight">
            <ClaudeCheckLine testId="verify-claude-check" settled={settledPath === path} check={check} />
            <PresetLine pre={pre} preset={preset} usable={usable} domains={domains.domains} />
          </div>
        </details>
        <EstimateBox estimate={estimate.data} error={estimate.error?.message} loading={estimating} waiting={!input} />
        {flagged ? (
          <label className="flagged-accept" data-testid="verify-accept-flagged">
            <input type="checkbox" checked={acceptFlagged} onChange={(e) => setAcceptFlagged(e.target.checked)} /> I have read the flagged
            texts above (the composer shows where each came from): install this version in the with-skill runs anyway
          </label>
        ) : null}
        {problems.length ? (
          <ul className="problems" data-testid="verify-problems">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : null}
        <button className="primary" disabled={!canStart} onClick={start} data-testid="start-verification" title="Start (Ctrl+Enter)">
          {startVerification.isPending ? 'Starting…' : estimate.data && !estimating ? `Start ${estimate.data.runs} runs` : 'Start'}
        </button>
        {startVerification.error ? <ErrorLine error={startVerification.error.message} /> : null}
      </div>
    </section>
  )
}

/** What the verification would be: its runs, about what it costs and on what basis, the cap, every warning. */
function EstimateBox({
  estimate: e,
  error,
  loading,
  waiting
}: {
  estimate?: VerifyEstimate
  error?: string
  loading: boolean
  waiting: boolean
}) {
  if (waiting) return null
  if (error && !loading)
    return (
      <div className="verify-estimate error-text" data-testid="estimate-error" role="alert">
        Cannot verify like this: {error}
      </div>
    )
  if (!e) return <div className="verify-estimate muted">Working out the runs and the cost…</div>
  return (
    <div className={`verify-estimate${loading ? ' stale' : ''}`} data-testid="verify-estimate">
      <div data-testid="estimate-runs">
        <strong>
          {count(e.runs, 'run')}: {count(e.variations, 'variation')} × {count(e.repeats, 'repeat')} × 2 arms
        </strong>{' '}
        <span className="muted">
          (version {e.version.number} against {e.against ? `version ${e.against.number}` : 'no skill'}
          {e.source === 'fresh' ? '; the fresh variations are written when it starts' : ''})
        </span>
      </div>
      <div data-testid="estimate-cost">
        {e.usd !== null ? (
          <>
            About {fmtCost(e.usd)} <span className="muted">({e.basis})</span>
          </>
        ) : (
          <>No cost estimate: {e.basis}.</>
        )}
      </div>
      <div data-testid="estimate-cap">
        {e.capUsd !== null ? `At most ${fmtCost(e.capUsd)} in all: the cap per run × ${count(e.runs, 'run')}.` : 'No spending cap per run.'}
      </div>
      {e.warnings.map((w) => (
        <div key={w.text} className="notice notice-warning inline" data-testid="estimate-warning" data-kind={w.kind}>
          {w.text}
        </div>
      ))}
    </div>
  )
}

// ---------------------------------------------------------------------------------------------------
// The verification

const SOURCE_WORDS = {
  fresh: 'fresh variations (held out)',
  batch: "the analysed batch's own variations (not held out: overstates the gain)",
  pasted: 'pasted variations'
}

export function VerificationPage({ verificationId }: { verificationId: string }) {
  // kept current by verificationProgress, runProgress and batchProgress (data/cache.ts)
  const loaded = useApi('getVerification', { verificationId })
  const cancel = useApiMutation('cancelVerification')
  const resume = useApiMutation('resumeVerification')
  const navigate = useNavigate()
  const batchId = loaded.data?.verification.batchId
  useShortcut('verify.grade', () => batchId && void navigate({ to: '/review/$batchId', params: { batchId } }), { enabled: !!batchId })

  if (loaded.error) return <ErrorLine error={loaded.error.message} retry={() => void loaded.refetch()} />
  if (!loaded.data) return <div className="muted pad">Loading…</div>
  const view = loaded.data
  const { verification: v, status: s, report } = view
  const explaining = Object.values(v.explanations).some((e) => e.state === 'running')
  const busy = s.stage === 'generating' || s.stage === 'running' || explaining
  const resumable = s.stage === 'failed' || s.stage === 'cancelled' || s.stage === 'interrupted' || s.unfinished > 0
  const error = cancel.error ?? resume.error
  return (
    <section className="page verification" data-testid="verification">
      <div className="crumbs">
        <Link to="/skill/$skillId" params={{ skillId: v.skillId }}>
          ← {v.skillName || 'skill'}
        </Link>
      </div>
      <h1>
        Verify {v.skillName}: version {v.version.number} against {v.against ? `version ${v.against.number}` : 'no skill'}
      </h1>
      <div className="muted">
        {v.variations.length ? count(v.variations.length, 'variation') : 'variations being written'} · {SOURCE_WORDS[v.source]} ·{' '}
        {count(v.repeats, 'repeat')} per arm · {v.settings.model || RUN_MODEL_DEFAULT_LABEL} · max {count(v.settings.maxTurns, 'turn')} ·
        started {fmtLocalTime(v.createdAt)}
      </div>
      <div className="card verify-status" data-testid="verify-status" data-stage={s.stage}>
        <div className="verify-status-line">
          <span className={`badge state-${s.stage}`} data-testid="verify-stage">
            {STAGE_WORDS[s.stage]}
          </span>
          {s.runs ? <progress max={s.runs} value={s.finished} aria-label="Runs finished" /> : null}
          <span data-testid="verify-progress">{statusLine(s)}</span>
          {busy ? (
            <button onClick={() => cancel.mutate({ verificationId })} disabled={cancel.isPending} data-testid="cancel-verification">
              Cancel
            </button>
          ) : null}
          {resumable ? (
            <button onClick={() => resume.mutate({ verificationId })} disabled={resume.isPending} data-testid="resume-verification">
              {s.unfinished ? `Resume: run the ${count(s.unfinished, 'unfinished run')} again` : 'Resume'}
            </button>
          ) : null}
        </div>
        {v.error ? (
          <div className="error-text" data-testid="verify-error" role="alert">
            {v.error}
          </div>
        ) : null}
        {error ? <ErrorLine error={error.message} /> : null}
        {batchId ? (
          <div className="grade-blind">
            <Link className="button big" to="/review/$batchId" params={{ batchId }} data-testid="grade-blind">
              Grade blind →
            </Link>
            <span className="muted">
              Both arms in one shuffled deck (key <kbd>g</kbd>): nothing in it says which run had the skill. {s.graded} of {s.runs} graded.
            </span>
          </div>
        ) : null}
      </div>
      {view.blind ? <BlindNote blind={view.blind} /> : null}
      {report && batchId ? <Report view={view} report={report} batchId={batchId} /> : null}
      {batchId ? <NextVersion view={view} batchId={batchId} /> : null}
      <div className="card">
        <div className="label">Pass rate per version, across verifications of {v.skillName}</div>
        <VersionChart skillId={v.skillId} />
      </div>
    </section>
  )
}

/** While not every run is graded: no report, and what blind promises (the warnings about the whole are said already). */
function BlindNote({ blind }: { blind: NonNullable<VerificationView['blind']> }) {
  return (
    <div className="card verify-blind" data-testid="verify-blind">
      <div className="label">Report</div>
      <p>
        The report comes once every run is graded ({blind.graded} of {blind.runs} so far). Until then nothing in the app, its run folders,
        its session browser or the command line says which run had the skill: not its arm, its trace, its cost or its turns.
      </p>
      {blind.warnings.length ? (
        <ul className="verify-warnings" data-testid="report-warnings">
          {blind.warnings.map((w) => (
            <li
              key={w.text}
              className={`notice inline ${w.kind === 'low-trigger' ? 'notice-error' : 'notice-warning'}`}
              data-testid="report-warning"
            >
              {w.text}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

function Report({ view, report: r, batchId }: { view: VerificationView; report: VerifyReport; batchId: string }) {
  const withName = armName(view, 'with')
  const withoutName = armName(view, 'without')
  const c = r.comparison
  // a low trigger rate only once enough of the arm's runs have finished to judge it (one run is no verdict)
  const lowArms = (['with', 'without'] as const).filter((arm) => triggerLow(r.arms[arm]))
  // the low trigger rate first, said even if the report's words for it change
  const lowWarnings = lowArms.length ? r.warnings.filter((w) => w.kind === 'low-trigger').map((w) => w.text) : []
  const low = lowWarnings.length
    ? lowWarnings
    : lowArms.map((arm) => {
        const t = r.arms[arm].trigger!
        return `Claude Code loaded ${r.arms[arm].label} in only ${t.invoked} of ${count(t.runs, 'run')} that had it (${pct(t.rate!)}): a skill it does not load does nothing.`
      })
  const others = r.warnings.filter((w) => w.kind !== 'low-trigger').map((w) => w.text)
  const pairOf = (key: string) => r.pairs.find((p) => p.key === key)
  return (
    <div className="verify-report" data-testid="verify-report" data-complete={r.complete ? 'true' : 'false'}>
      <h2>{r.complete ? 'Report' : 'Report so far'}</h2>
      {/* the result is the headline; what to look at before trusting it sits beside it */}
      <div className="report-top">
        <div className="card report-headline" data-testid="report-headline">
          <div className="verify-difference" data-testid="difference">
            {c.pairs ? (
              <>
                <strong>
                  {withName} against {withoutName}: {fmtDifference(c.difference)}
                </strong>{' '}
                <span className="muted">
                  over the {count(c.pairs, 'pair')} graded in both arms{r.complete ? '' : ' so far'}.
                </span>
              </>
            ) : (
              'No pair is graded in both arms yet.'
            )}
          </div>
          {c.pairs ? (
            <>
              <div data-testid="pair-counts">
                Fixed by the skill: {c.fixed.length} · broken by it: {c.broken.length} · same grade: {c.ties}
              </div>
              <div className="muted" data-testid="p-words">
                {pWords(c, armName(view, 'with').replace(/^with /, ''))}
              </div>
            </>
          ) : null}
        </div>
        {low.length || others.length ? (
          <ul className="verify-warnings" data-testid="report-warnings" aria-label="Before trusting the result">
            {low.map((w) => (
              <li key={w} className="notice inline notice-error" data-testid="low-trigger">
                <strong>The skill was rarely loaded. </strong>
                {w}
              </li>
            ))}
            {others.map((w) => (
              <li key={w} className="notice inline notice-warning" data-testid="report-warning">
                {w}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <div className="card">
        <table className="metrics verify-arms" data-testid="verify-arms">
          <thead>
            <tr>
              <th />
              <th>{withName}</th>
              <th>{withoutName}</th>
            </tr>
          </thead>
          <tbody>
            <ArmRow
              title="Pass rate (pairs graded in both arms)"
              testId="pass"
              r={r}
              cell={(a) => <strong>{fmtPassRate(a.passRate)}</strong>}
            />
            <ArmRow title="Every graded run" testId="all-graded" r={r} cell={(a) => fmtPassRate(a.allGraded)} />
            <ArmRow title="Runs" testId="runs" r={r} cell={(a) => `${a.finished} of ${a.runs} finished, ${a.graded} graded`} />
            <ArmRow
              title="Cost"
              testId="cost"
              r={r}
              cell={(a) =>
                `${fmtCost(a.costUsd)} ${a.finished < a.runs ? 'so far' : 'in all'}${a.meanCostUsd !== null ? ` · ${fmtCost(a.meanCostUsd)} a run` : ''}`
              }
            />
            <ArmRow title="Turns (mean)" testId="turns" r={r} cell={(a) => (a.meanTurns === null ? '—' : a.meanTurns.toFixed(1))} />
            <ArmRow
              title="Tool errors (mean)"
              testId="tool-errors"
              r={r}
              cell={(a) => (a.meanToolErrors === null ? '—' : a.meanToolErrors.toFixed(1))}
            />
            <ArmRow
              title="Duration (mean)"
              testId="duration"
              r={r}
              cell={(a) => (a.meanDurationMs === null ? '—' : fmtDuration(a.meanDurationMs))}
            />
            <ArmRow title="Claude Code loaded the skill" testId="trigger" r={r} cell={(a) => <TriggerCell arm={a} />} />
          </tbody>
        </table>
      </div>
      {r.byDifficulty.length ? (
        <div className="card">
          <div className="label">By difficulty</div>
          <table className="metrics" data-testid="by-difficulty">
            <thead>
              <tr>
                <th>Difficulty</th>
                <th>Pairs</th>
                <th>{withName}</th>
                <th>{withoutName}</th>
                <th>Fixed</th>
                <th>Broken</th>
                <th>Same</th>
                <th title="exact sign test on the pairs that came out differently">p</th>
              </tr>
            </thead>
            <tbody>
              {r.byDifficulty.map((d) => (
                <tr key={d.difficulty} data-testid="difficulty-row" data-difficulty={d.difficulty}>
                  <th>{d.difficulty}</th>
                  <td>{d.pairs}</td>
                  <td>{fmtRateShort(d.with)}</td>
                  <td>{fmtRateShort(d.without)}</td>
                  <td>{d.fixed.length}</td>
                  <td>{d.broken.length}</td>
                  <td>{d.ties}</td>
                  <td>{d.fixed.length + d.broken.length ? fmtP(d.p) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Explain view={view} />
      <PairList
        title="Runs the skill fixed"
        empty="No pair went from bad without the skill to good with it."
        testId="fixed-pairs"
        keys={c.fixed}
        pairOf={pairOf}
        view={view}
        batchId={batchId}
      />
      <PairList
        title="Runs the skill broke"
        empty="No pair went from good without the skill to bad with it."
        testId="broken-pairs"
        keys={c.broken}
        pairOf={pairOf}
        view={view}
        batchId={batchId}
      />
    </div>
  )
}

function ArmRow({ title, testId, r, cell }: { title: string; testId: string; r: VerifyReport; cell: (a: ArmStats) => ReactNode }) {
  return (
    <tr>
      <th>{title}</th>
      <td data-testid={`${testId}-with`}>{cell(r.arms.with)}</td>
      <td data-testid={`${testId}-without`}>{cell(r.arms.without)}</td>
    </tr>
  )
}

function TriggerCell({ arm: a }: { arm: ArmStats }) {
  const t = a.trigger
  if (!t) return <span className="muted">no skill in this arm</span>
  if (!t.runs || t.rate === null) return <span className="muted">no finished run yet</span>
  // too few finished runs to say: the count, and no rate or verdict yet
  if (!triggerJudged(a))
    return (
      <span className="muted" data-low="false">
        {t.invoked} of {count(t.runs, 'run')} so far: too few to judge yet
      </span>
    )
  const low = triggerLow(a)
  return (
    <span className={low ? 'error-text trigger-low' : ''} data-low={low ? 'true' : 'false'}>
      {t.invoked} of {count(t.runs, 'run')} ({pct(t.rate)}){a.finished < a.runs ? ' so far' : ''}
      {low ? ': low' : ''}
      {t.elsewhere ? ` · ${t.elsewhere} loaded another skill of the same name instead` : ''}
    </span>
  )
}

/** Explain the fixed and broken pairs with the model, and how far that has got (per pair). */
function Explain({ view }: { view: VerificationView }) {
  const v = view.verification
  const c = view.report!.comparison
  const explain = useApiMutation('explainVerification')
  const [via, setVia] = useState<'api' | 'claude-cli'>('api')
  const [model, setModel] = useState(DEFAULT_ANALYST_MODEL)
  const keys = [...c.fixed, ...c.broken]
  if (!keys.length) return null
  const states = keys.map((k) => v.explanations[k]?.state ?? 'none')
  const n = (s: string) => states.filter((x) => x === s).length
  const running = n('running')
  const todo = keys.length - n('done')
  return (
    <div className="card explain" data-testid="explain-box">
      <div className="label">Why: which rules the with-skill runs followed or ignored</div>
      <div className="row-form">
        <select value={via} onChange={(e) => setVia(e.target.value as typeof via)} aria-label="Model access" data-testid="explain-via">
          <option value="api">Anthropic API</option>
          <option value="claude-cli">My Claude Code login (claude -p)</option>
        </select>
        <input value={model} onChange={(e) => setModel(e.target.value)} aria-label="Model" size={22} />
        <button
          disabled={!todo || !!running || explain.isPending || !model.trim()}
          onClick={() => explain.mutate({ verificationId: v.id, via, model: model.trim() })}
          data-testid="explain"
        >
          {running
            ? 'Explaining…'
            : !todo
              ? 'All explained'
              : todo < keys.length
                ? `Explain the other ${count(todo, 'pair')} with the model`
                : 'Explain with the model'}
        </button>
      </div>
      <div className="muted" data-testid="explain-progress">
        {count(keys.length, 'pair')} fixed or broken: {n('done')} explained
        {running ? `, ${running} being explained` : ''}
        {n('failed') ? `, ${n('failed')} failed` : ''}
        {n('none') ? `, ${n('none')} not yet` : ''}.
      </div>
      {explain.error ? <ErrorLine error={explain.error.message} /> : null}
    </div>
  )
}

function PairList(props: {
  title: string
  empty: string
  testId: string
  keys: string[]
  pairOf: (key: string) => VerifyPair | undefined
  view: VerificationView
  batchId: string
}) {
  return (
    <div className="card pair-list" data-testid={props.testId}>
      <div className="label">
        {props.title} ({props.keys.length})
      </div>
      {!props.keys.length ? <div className="muted">{props.empty}</div> : null}
      {props.keys.map((k) => {
        const p = props.pairOf(k)
        return p ? <PairCard key={k} pair={p} view={props.view} batchId={props.batchId} /> : null
      })}
    </div>
  )
}

function PairCard({ pair: p, view, batchId }: { pair: VerifyPair; view: VerificationView; batchId: string }) {
  const v = view.verification
  const e = v.explanations[p.key]
  const side = (arm: 'with' | 'without') => {
    const x = p[arm]
    const hasSkill = arm === 'with' || !!v.against
    return (
      <div className={`pair-side grade-${x?.label ?? 'none'}`} data-testid={`pair-${arm}`}>
        <div>
          <strong>{armName(view, arm)}</strong>:{' '}
          {x ? (
            <>
              run <RunBadge batchId={batchId} n={x.number} testId="pair-run" />{' '}
              <span className={`label-${x.label ?? 'none'}`}>{x.label ?? 'ungraded'}</span>
              {hasSkill && x.use ? (
                <span className={x.use.invoked && x.use.from !== 'elsewhere' ? 'muted' : 'error-text'}>
                  {' '}
                  ·{' '}
                  {x.use.invoked
                    ? x.use.from === 'elsewhere'
                      ? 'loaded another skill of the same name'
                      : 'loaded the skill'
                    : 'did not load the skill'}
                </span>
              ) : null}
            </>
          ) : (
            <span className="muted">no run</span>
          )}
        </div>
        {x?.text ? <div className="pair-sentence">“{x.text}”</div> : null}
      </div>
    )
  }
  return (
    <div className="pair" data-testid="pair" data-key={p.key}>
      <div className="pair-head">
        <strong>{pairName(p.variation, p.repeat, v.repeats)}</strong> <span className="badge">{p.difficulty}</span>{' '}
        <span className="pair-prompt" title={p.prompt}>
          {oneLine(p.prompt, 140)}
        </span>
      </div>
      <div className="pair-sides">
        {side('with')}
        {side('without')}
      </div>
      {p.with && p.without ? (
        <Link
          to="/compare/$batchId/$a/$b"
          params={{ batchId, a: String(p.without.number), b: String(p.with.number) }}
          data-testid="pair-compare"
        >
          Compare run {p.without.number} ({armName(view, 'without')}) with run {p.with.number} ({armName(view, 'with')}) →
        </Link>
      ) : null}
      <ExplanationView e={e} batchId={batchId} />
    </div>
  )
}

function ExplanationView({ e, batchId }: { e: Explanation | undefined; batchId: string }) {
  if (!e) return null
  if (e.state === 'running')
    return (
      <div className="muted explanation" data-testid="explanation" data-state="running">
        Reading the with-skill trace…
      </div>
    )
  if (e.state === 'failed')
    return (
      <div className="error-text explanation" data-testid="explanation" data-state="failed">
        Could not explain this pair: {e.error ?? 'it failed'}
      </div>
    )
  return (
    <div className="explanation" data-testid="explanation" data-state="done">
      {!e.rules.length ? <div className="muted">The trace shows none of the skill&apos;s rules followed or ignored.</div> : null}
      <ul>
        {e.rules.map((x) => (
          <li key={x.ruleId} data-testid="verdict" data-verdict={x.verdict}>
            <span className={`badge ${x.verdict === 'followed' ? '' : 'warn'}`}>{x.verdict}</span> <q>{x.text}</q>{' '}
            <span className="muted">{x.why}</span>{' '}
            <span className="evidence">
              {x.pointers.map((ptr, i) => (
                <RunBadge key={i} batchId={batchId} n={ptr.run} line={ptr.line} testId="evidence-badge" />
              ))}
            </span>
          </li>
        ))}
      </ul>
      {e.setAside.length ? (
        <details>
          <summary className="muted small">{count(e.setAside.length, 'verdict')} set aside</summary>
          {e.setAside.map((s) => (
            <div key={s} className="small muted">
              {s}
            </div>
          ))}
        </details>
      ) : null}
    </div>
  )
}

/** Deepen: the verification's graded runs (both arms) analysed into the next version. */
function NextVersion({ view, batchId }: { view: VerificationView; batchId: string }) {
  const v = view.verification
  const deepen = useApiMutation('deepenFromVerification')
  const navigate = useNavigate()
  const [via, setVia] = useState<'api' | 'claude-cli'>('api')
  const [model, setModel] = useState(DEFAULT_ANALYST_MODEL)
  const graded = view.report?.graded ?? 0
  // deepened already: the next step is the new version's verification, not a second deepen
  const analysis = useApi('getAnalysis', v.deepenAnalysisId ? { analysisId: v.deepenAnalysisId } : null)
  const skill = useApi('getSkill', { skillId: v.skillId })
  const newest = (skill.data?.versions ?? []).reduce((n, x) => Math.max(n, x.number), 0)
  const made = analysis.data?.state === 'done' && analysis.data.skillId === v.skillId && newest > v.version.number ? newest : null
  if (made)
    return (
      <div className="card next-version" data-testid="next-version">
        <div className="label">The next version</div>
        <p>
          Version {made} was made from this verification. Verify it (on fresh variations) to know whether it does better than version{' '}
          {v.version.number}.
        </p>
        <div className="row-form">
          <Link className="button primary" to="/verify/$skillId" params={{ skillId: v.skillId }} data-testid="verify-next-version">
            Verify version {made} →
          </Link>
          <Link to="/analyze/$batchId" params={{ batchId }} data-testid="deepen-analysis">
            The analysis that made it
          </Link>
        </div>
      </div>
    )
  return (
    <div className="card next-version" data-testid="next-version">
      <div className="label">The next version</div>
      <p className="muted">
        Four analysts read both arms&apos; graded runs, told which arm each run was in and which pairs the skill fixed or broke, and deepen
        the skill into its next version.
      </p>
      <div className="row-form">
        <select value={via} onChange={(e) => setVia(e.target.value as typeof via)} aria-label="Model access for the analysts">
          <option value="api">Anthropic API</option>
          <option value="claude-cli">My Claude Code login (claude -p)</option>
        </select>
        <input value={model} onChange={(e) => setModel(e.target.value)} aria-label="Analyst model" size={22} />
        <button
          className="primary"
          disabled={!graded || !!view.blind || deepen.isPending || !model.trim()}
          title={
            view.blind
              ? 'Grade every run first: the analysts are told which run had the skill'
              : graded
                ? undefined
                : 'Grade some runs first'
          }
          onClick={() =>
            deepen.mutate(
              { verificationId: v.id, via, model: model.trim() },
              { onSuccess: () => void navigate({ to: '/analyze/$batchId', params: { batchId } }) }
            )
          }
          data-testid="deepen"
        >
          {deepen.isPending ? 'Starting the analysts…' : 'Deepen from this verification →'}
        </button>
        {v.deepenAnalysisId ? (
          <Link to="/analyze/$batchId" params={{ batchId }} data-testid="deepen-analysis">
            The analysis started from it
          </Link>
        ) : null}
      </div>
      {deepen.error ? <ErrorLine error={deepen.error.message} /> : null}
    </div>
  )
}

// ---------------------------------------------------------------------------------------------------
// Across verifications: the list (skill page) and the chart

/** The verifications of a skill, newest first, with the chart of pass rate per version. */
export function VerificationsPanel({ skillId }: { skillId: string }) {
  const list = useApi('listVerifications', { skillId })
  return (
    <div className="card verifications" data-testid="verifications">
      <div className="label">
        Verifications{' '}
        <Link to="/verify/$skillId" params={{ skillId }}>
          Verify…
        </Link>
      </div>
      {list.error ? <ErrorLine error={list.error.message} retry={() => void list.refetch()} /> : null}
      {list.data && !list.data.length ? (
        <div className="muted">
          None yet. Verify runs a version with the skill and without it on fresh variations, graded blind, and says with numbers whether it
          helps.
        </div>
      ) : null}
      {list.data?.length ? (
        <>
          <ul className="list">
            {list.data.map((x) => (
              <li key={x.verification.id}>
                <Link
                  to="/verification/$verificationId"
                  params={{ verificationId: x.verification.id }}
                  data-testid="verification-row"
                  data-stage={x.status.stage}
                >
                  <strong>
                    Version {x.verification.version.number} against{' '}
                    {x.verification.against ? `version ${x.verification.against.number}` : 'no skill'}
                  </strong>{' '}
                  <span className={`badge state-${x.status.stage}`}>{STAGE_WORDS[x.status.stage]}</span>{' '}
                  <span className="muted">
                    {x.report
                      ? `${armName(x, 'with')}: ${fmtRateShort(x.report.arms.with.passRate)} · ${armName(x, 'without')}: ${fmtRateShort(x.report.arms.without.passRate)}`
                      : x.blind
                        ? `graded blind: ${x.blind.graded} of ${x.blind.runs}`
                        : 'no runs yet'}{' '}
                    · {fmtLocalTime(x.verification.createdAt)}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          <PassRateChart points={chartPoints(list.data)} />
        </>
      ) : null}
    </div>
  )
}

/** The chart of a skill's verifications (the verification page shows it too). */
function VersionChart({ skillId }: { skillId: string }) {
  const list = useApi('listVerifications', { skillId })
  if (list.error) return <ErrorLine error={list.error.message} retry={() => void list.refetch()} />
  if (!list.data) return <div className="muted">Loading…</div>
  return <PassRateChart points={chartPoints(list.data)} />
}

/** Pass rate per version (x) with 95% intervals as whiskers: the version verified, and the baseline it ran against. */
export function PassRateChart({ points }: { points: ChartPoint[] }) {
  if (!points.length)
    return (
      <div className="muted" data-testid="verify-chart-empty">
        No pairs graded in both arms yet: each version&apos;s pass rate shows here once its runs are graded.
      </div>
    )
  const versions = [...new Set(points.map((p) => p.version))].sort((a, b) => a - b)
  const W = 520
  const H = 220
  const left = 44
  const right = 16
  const top = 12
  const bottom = 30
  const plotW = W - left - right
  const plotH = H - top - bottom
  const x = (version: number) =>
    versions.length === 1 ? left + plotW / 2 : left + 24 + (versions.indexOf(version) / (versions.length - 1)) * (plotW - 48)
  const y = (rate: number) => top + (1 - rate) * plotH
  const shift = { with: 6, without: -6 }
  const series = (arm: 'with' | 'without') => points.filter((p) => p.arm === arm)
  return (
    <figure className="verify-chart" data-testid="verify-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Pass rate per skill version, with 95% intervals">
        {[0, 0.25, 0.5, 0.75, 1].map((t) => (
          <g key={t} className="chart-grid">
            <line x1={left} x2={W - right} y1={y(t)} y2={y(t)} />
            <text x={left - 6} y={y(t) + 4} textAnchor="end">
              {pct(t)}
            </text>
          </g>
        ))}
        {versions.map((ver) => (
          <text key={ver} className="chart-axis" x={x(ver)} y={H - 10} textAnchor="middle">
            v{ver}
          </text>
        ))}
        {(['without', 'with'] as const).map((arm) => {
          const s = series(arm)
          return s.length > 1 ? (
            <polyline
              key={arm}
              className={`chart-line chart-${arm}`}
              points={s.map((p) => `${x(p.version) + shift[arm]},${y(p.rate)}`).join(' ')}
            />
          ) : null
        })}
        {points.map((p) => {
          const cx = x(p.version) + shift[p.arm]
          return (
            <g
              key={`${p.version}-${p.arm}`}
              className={`chart-point chart-${p.arm}`}
              data-testid="chart-point"
              data-version={p.version}
              data-arm={p.arm}
              data-rate={p.rate}
            >
              <title>
                {p.arm === 'with' ? `Version ${p.version}` : `Baseline of version ${p.version} (${p.label})`}: {pct(p.rate)} ({p.passed} of{' '}
                {p.n}), 95% CI {pct(p.low)}–{pct(p.high)}
              </title>
              <line x1={cx} x2={cx} y1={y(p.low)} y2={y(p.high)} />
              <line x1={cx - 3} x2={cx + 3} y1={y(p.low)} y2={y(p.low)} />
              <line x1={cx - 3} x2={cx + 3} y1={y(p.high)} y2={y(p.high)} />
              {p.arm === 'with' ? <circle cx={cx} cy={y(p.rate)} r={4} /> : <rect x={cx - 3.5} y={y(p.rate) - 3.5} width={7} height={7} />}
            </g>
          )
        })}
      </svg>
      <figcaption className="muted small">
        <span className="chart-with">●</span> with the version · <span className="chart-without">■</span> its baseline (no skill, or the
        version it was compared with) · whiskers: 95% intervals · each version&apos;s newest verification with graded pairs
      </figcaption>
    </figure>
  )
}
