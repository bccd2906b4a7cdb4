/**
 * Step 5's setup (`#/verify/<skill>`): the version, what it is compared against, the variations,
 * repeats and run settings, with what it would be (runs, cost, cap, warnings) before it starts.
 */
import { Link } from '@tanstack/react-router'
import { RUN_MODEL_DEFAULT_LABEL } from '@shared/models'
import { count } from '../../lib/format'
import { ErrorLine } from '../../components/ErrorLine'
import { ClaudeCheckLine, PresetLine } from '../run-settings/RunPermissions'
import { NumberField, RunSettingsFields } from '../run-settings/RunSettingsFields'
import { RUN_DEFAULTS } from '../run-settings/schema'
import { EstimateBox } from './EstimateBox'
import { REPEATS_LIMITS, useVerifyForm } from './useVerifyForm'

const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 100)}%`)

export function VerifySetup({ skillId }: { skillId: string }) {
  const f = useVerifyForm(skillId)
  const { skill, access, inherited, versions, versionId, against, source, pasteText, pasted, run, problems, input, estimate } = f
  const { setVersionPick, setAgainstPick, setSource, setPasteText, flagged, acceptFlagged, setAcceptFlagged, canStart, start } = f
  const { startVerification, estimating, grade, setGrade, autoBlocked, rubric, measured } = f

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
          <NumberField s={run} name="repeats" label="Repeats per arm" limits={REPEATS_LIMITS} testId="verify-repeats" />
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
        <fieldset className="presets" data-testid="verify-grade">
          <legend>Grade</legend>
          <label className="check">
            <input type="radio" name="grade" checked={grade === 'person'} onChange={() => setGrade('person')} data-testid="grade-person" />
            <span>
              <strong>By me, blind</strong>: you grade every run in the blind deck (the grader can pre-grade it for you to confirm).
            </span>
          </label>
          <label className={`check${autoBlocked ? ' disabled' : ''}`}>
            <input
              type="radio"
              name="grade"
              checked={grade === 'auto'}
              disabled={!!autoBlocked}
              onChange={() => setGrade('auto')}
              data-testid="grade-auto"
            />
            <span>
              <strong>By the grader</strong>: it grades every run alone with the task&apos;s rubric once the runs have finished (for
              unattended use); the report says so.{' '}
              {autoBlocked ? (
                <span className="muted" data-testid="grade-auto-blocked">
                  {autoBlocked}
                </span>
              ) : rubric.data ? (
                <span className="muted" data-testid="grade-auto-rubric">
                  Rubric version {rubric.data.current.number}, {count(rubric.data.current.assertions.length, 'assertion')};{' '}
                  {measured.data?.report
                    ? `measured on the runs it was learned from: accuracy ${pct(measured.data.report.agreement.accuracy)}, kappa ${
                        measured.data.report.agreement.kappa === null ? 'n/a' : measured.data.report.agreement.kappa.toFixed(2)
                      }${measured.data.report.trust.trusted ? '' : ': not to be trusted yet'}.`
                    : 'its agreement with you was not measured on the runs it was learned from.'}
                </span>
              ) : null}
            </span>
          </label>
          <label className={`check${autoBlocked ? ' disabled' : ''}`}>
            <input
              type="radio"
              name="grade"
              checked={grade === 'assist'}
              disabled={!!autoBlocked}
              onChange={() => setGrade('assist')}
              data-testid="grade-assist"
            />
            <span>
              <strong>By the grader, asking me when it is unsure</strong>: the grader grades every run with the same rubric; its grades it
              is sure of are saved as its own, and the runs it is unsure of wait for you in the blind deck, with its grade to confirm or
              flip.
            </span>
          </label>
        </fieldset>
        {source === 'fresh' && access.data && !access.data.hasKey ? (
          <div className="notice notice-warning inline" data-testid="no-api-key">
            Writing fresh variations needs an Anthropic API key: set ANTHROPIC_API_KEY, or paste a key on a task&apos;s page. Or paste
            variations instead.
          </div>
        ) : null}
        <details className="verify-settings" open>
          <summary>Run settings (both arms get the same; an empty field keeps the settings of the runs it was learned from)</summary>
          <RunSettingsFields
            s={run}
            prefix="verify-"
            placeholders={{
              model: inheritedNote(inherited?.model || RUN_MODEL_DEFAULT_LABEL),
              maxTurns: inheritedNote(String(inherited?.maxTurns ?? RUN_DEFAULTS.maxTurns)),
              concurrency: inheritedNote(String(inherited?.concurrency ?? RUN_DEFAULTS.concurrency)),
              maxBudgetUsd: inheritedNote(inherited?.maxBudgetUsd ? `$${inherited.maxBudgetUsd}` : 'none'),
              claudePath: inheritedNote(inherited?.claudePath || 'claude on PATH')
            }}
            noteFor={(p) =>
              run.learnedPreset === p ? ' (as the runs it was learned from)' : run.pre.data?.defaultPreset === p ? ' (default here)' : ''
            }
            domainsPlaceholder={inherited?.allowedDomains?.length ? inheritedNote(inherited.allowedDomains.join(', ')) : 'no network'}
          />
          <div className="preflight">
            <ClaudeCheckLine testId="verify-claude-check" settled={run.claude.settled} check={run.claude.check} />
            <PresetLine pre={run.pre} preset={run.preset} usable={run.usable} domains={run.domains.domains} />
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
