/** Run the batch: the run settings (one form with verify's), what the batch would be and cost, and Start. */
import { useState } from 'react'
import { useQueries } from '@tanstack/react-query'
import { useNavigate } from '@tanstack/react-router'
import { batchEstimate } from '@shared/estimate'
import { RUN_MODEL_DEFAULT_LABEL } from '@shared/models'
import { RunSettingsSchema, type RunSettings } from '@shared/runs'
import { apiQuery, useApi, useApiMutation } from '../../data/queries'
import { ErrorLine } from '../../components/ErrorLine'
import { count } from '../../lib/format'
import { ClaudeCheckLine, PresetLine, TemplateClaudeFiles } from '../run-settings/RunPermissions'
import { NumberField, RunSettingsFields } from '../run-settings/RunSettingsFields'
import { formDefaults, RUN_DEFAULTS, runSettingsFormSchema } from '../run-settings/schema'
import { useRunSettingsForm } from '../run-settings/useRunSettingsForm'

const BATCH_FORM = runSettingsFormSchema({
  optional: false,
  repeats: RunSettingsSchema.shape.repeats.unwrap(),
  repeatsLabel: 'Repeats of each'
})
const BATCH_DEFAULTS = formDefaults(true, RUN_DEFAULTS.repeats)

/** variations: the ordinary ones; nearMisses: the near-miss ones, left out unless the person includes them. */
export function BatchSettings({
  taskId,
  variations,
  nearMisses = 0,
  hasTemplate
}: {
  taskId: string
  variations: number
  nearMisses?: number
  hasTemplate: boolean
}) {
  const s = useRunSettingsForm({ schema: BATCH_FORM, defaults: BATCH_DEFAULTS })
  const [includeNearMiss, setIncludeNearMiss] = useState(false)
  const { values, preset, usable, domains } = s
  const [error, setError] = useState<string | null>(null)
  const [starting, setStarting] = useState(false)
  const template = useApi('inspectTemplate', hasTemplate ? { taskId } : null)
  const createBatch = useApiMutation('createBatch')
  const startBatch = useApiMutation('startBatch')
  const navigate = useNavigate()
  // the runs as typed, while another field is still out of bounds
  const repeats = values?.repeats ?? (Number.isInteger(Number(s.input.repeats)) ? Number(s.input.repeats) : 0)
  const runs = (variations + (includeNearMiss ? nearMisses : 0)) * repeats
  const history = useTaskRunCosts(taskId)
  const capPerRun = values?.maxBudgetUsd ?? null
  const estimate = batchEstimate({ finished: history.data ?? [], model: values?.model, runs, capPerRun })
  const cap = capPerRun ? capPerRun * runs : null
  const start = s.form.handleSubmit(async (v) => {
    setStarting(true)
    setError(null)
    try {
      const settings: RunSettings = {
        ...RUN_DEFAULTS,
        model: v.model,
        concurrency: v.concurrency ?? RUN_DEFAULTS.concurrency,
        repeats: v.repeats ?? RUN_DEFAULTS.repeats,
        maxTurns: v.maxTurns ?? RUN_DEFAULTS.maxTurns,
        maxBudgetUsd: v.maxBudgetUsd,
        claudePath: v.claudePath,
        permission: preset!,
        allowedDomains: preset === 'sandboxed' && domains.domains.length ? domains.domains : undefined,
        useMyClaudeSettings: v.useMyClaudeSettings || undefined
      }
      const batch = await createBatch.mutateAsync({ taskId, settings, ...(includeNearMiss && nearMisses ? { includeNearMiss: true } : {}) })
      await startBatch.mutateAsync({ batchId: batch.id })
      void navigate({ to: '/batch/$batchId', params: { batchId: batch.id } })
    } catch (e) {
      setError((e as Error).message)
      setStarting(false)
    }
  })
  return (
    <div className="card form batch-settings">
      <h2>Run the batch</h2>
      <RunSettingsFields
        s={s}
        prefix=""
        placeholders={{ model: RUN_MODEL_DEFAULT_LABEL, maxBudgetUsd: 'none', claudePath: 'claude (on PATH)' }}
        noteFor={(p) => (s.pre.data?.defaultPreset === p ? ' (default here)' : '')}
        domainsPlaceholder="no network"
        offerMine
      >
        <NumberField s={s} name="repeats" label="Repeats of each" />
      </RunSettingsFields>
      {nearMisses ? (
        <label className="check" data-testid="near-miss-choice">
          <input type="checkbox" checked={includeNearMiss} onChange={(e) => setIncludeNearMiss(e.target.checked)} />
          <span>
            Also run the {nearMisses} near-miss prompt{nearMisses === 1 ? '' : 's'}{' '}
            <span className="muted">(left out by default: they ask for a different job, the cases the skill should not be used for)</span>
          </span>
        </label>
      ) : null}
      <div className="preflight" data-testid="preflight">
        <TemplateClaudeFiles testId="template-claude" inspection={template} />
        <ClaudeCheckLine testId="claude-check" settled={s.claude.settled} check={s.claude.check} />
        <PresetLine
          testId="preset-line"
          pre={s.pre}
          preset={preset}
          usable={usable}
          domains={domains.domains}
          after={<span className="muted">{s.picked ? 'Chosen by you.' : `${s.pre.data?.summary}.`}</span>}
        />
        {s.fieldProblems.length ? (
          <ul className="problems" data-testid="batch-problems">
            {s.fieldProblems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : (
          <div>
            {runs} run{runs === 1 ? '' : 's'}
            {cap ? `, at most $${cap.toFixed(2)} in all` : ', no spending cap'}, {values?.concurrency} at a time.
          </div>
        )}
        <div data-testid="batch-estimate" data-basis={history.data ? estimate.basis : 'loading'}>
          {history.data ? estimate.text : history.error ? `No estimate: ${history.error.message}` : 'Looking at earlier runs of this task…'}
        </div>
      </div>
      <button
        data-testid="start-batch"
        disabled={!runs || starting || !values || !s.claude.settled || !s.claude.check.data?.ok || !usable?.available || !!s.domainProblem}
        onClick={() => void start()}
      >
        {starting ? 'Starting…' : `Start ${count(runs, 'run')}`}
      </button>
      {error ? <ErrorLine error={error} /> : null}
    </div>
  )
}

/** The cost of every finished run of a task's earlier batches (the basis of the batch estimate), with the model each batch asked for. */
function useTaskRunCosts(taskId: string): { data?: { costUsd: number; model?: string }[]; error: Error | null } {
  const batches = useApi('listBatches', { taskId })
  // each batch from the shared cache (the batch page and the deck read the same entries)
  const each = useQueries({ queries: (batches.data ?? []).map(({ batch }) => apiQuery('getBatch', { batchId: batch.id })) })
  const error = batches.error ?? each.find((q) => q.error)?.error ?? null
  if (!batches.data || each.some((q) => !q.data)) return { error }
  const data = each.flatMap((q) =>
    q.data!.runs.filter((r) => r.state === 'done').map((r) => ({ costUsd: r.progress.costUsd, model: q.data!.batch.settings.model }))
  )
  return { data, error }
}
