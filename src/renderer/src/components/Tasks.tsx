/** Step 1 for people who never open a terminal: describe a task, get variations, run them. */
import { useMemo, useRef, useState } from 'react'
import { useQueries } from '@tanstack/react-query'
import { Link, useNavigate } from '@tanstack/react-router'
import {
  DEFAULT_MIX,
  DEFAULT_TOOLS,
  DIFFICULTIES,
  parseDomains,
  parseNumberedList,
  type Difficulty,
  type Mix,
  type PermissionPreset,
  type Task
} from '@shared/runs'
import { apiQuery, useApi, useApiMutation } from '../data/queries'
import { fmtRelative } from '../lib/format'
import { useDebounced } from '../lib/hooks'
import { useUndo } from '../lib/undo'
import { ErrorLine } from './ErrorLine'
import { FolderInput } from './FolderInput'
import { ClaudeCheckLine, PresetChoice, PresetLine, TemplateClaudeFiles } from './RunPermissions'
import { batchEstimate } from '@shared/estimate'
import { DEFAULT_VARIATION_MODEL, MODELS, modelLabel, RUN_MODEL_DEFAULT_LABEL } from '@shared/models'

/** The models on offer (src/shared/models.ts), for an <input list={id}>. */
export function ModelOptions({ id }: { id: string }) {
  return (
    <datalist id={id}>
      {MODELS.map((m) => (
        <option key={m.id} value={m.id}>
          {modelLabel(m)}
        </option>
      ))}
    </datalist>
  )
}

export function TaskList() {
  const tasks = useApi('listTasks', {})
  const batches = useApi('listBatches', {})
  const saveTask = useApiMutation('saveTask')
  const navigate = useNavigate()
  const [name, setName] = useState('')
  const [text, setText] = useState('')
  const create = () =>
    saveTask.mutate({ name, text }, { onSuccess: (t) => void navigate({ to: '/task/$taskId', params: { taskId: t.id } }) })
  return (
    <section className="page">
      <h1>Tasks</h1>
      <p className="muted">
        A task is what you want Claude Code to get good at. It is run many times, in variations, so you can grade what each run made.
      </p>
      <form
        className="card form"
        onSubmit={(e) => {
          e.preventDefault()
          create()
        }}
      >
        <label>
          Name
          <input data-testid="new-task-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Landing page" required />
        </label>
        <label>
          What should Claude Code do?
          <textarea
            data-testid="new-task-text"
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={4}
            placeholder="Build a single-file landing page (index.html) for…"
            required
          />
        </label>
        <button data-testid="create-task" type="submit" disabled={!name.trim() || !text.trim()}>
          Create task
        </button>
        {saveTask.error ? <ErrorLine error={saveTask.error.message} /> : null}
      </form>
      {tasks.error ? <ErrorLine error={tasks.error.message} retry={() => void tasks.refetch()} /> : null}
      <ul className="list">
        {tasks.data?.map((t) => (
          <li key={t.id}>
            <Link to="/task/$taskId" params={{ taskId: t.id }} data-testid="task-row">
              <strong>{t.name}</strong> <span className="muted">· updated {fmtRelative(t.updatedAt)}</span>
            </Link>
          </li>
        ))}
      </ul>
      {batches.data?.length ? (
        <>
          <h2>Batches</h2>
          <ul className="list">
            {batches.data.map(({ batch, status }) => (
              <li key={batch.id}>
                <Link to="/batch/$batchId" params={{ batchId: batch.id }}>
                  <strong>{batch.name}</strong>{' '}
                  <span className="muted">
                    · {status.done} done, {status.failed} failed of {status.total} · {fmtRelative(batch.createdAt)}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  )
}

type Draft = { id?: string; difficulty: Difficulty; prompt: string }

export function TaskPage({ taskId }: { taskId: string }) {
  const tasks = useApi('listTasks', {})
  const access = useApi('getModelAccess', {})
  const saved = useApi('getVariations', { taskId })
  const saveVariations = useApiMutation('saveVariations')
  const generate = useApiMutation('generateVariations')
  const regenerate = useApiMutation('regenerateVariation')
  const setApiKey = useApiMutation('setApiKey')
  const [mix, setMix] = useState<Mix>(DEFAULT_MIX)
  const [error, setError] = useState<string | null>(null)
  const [paste, setPaste] = useState<string | null>(null)
  const [key, setKey] = useState('')
  const [variationModel, setVariationModel] = useState(DEFAULT_VARIATION_MODEL)
  // the list as saved, or as it is being saved (shown at once; the answer replaces it in the cache)
  const list: Draft[] = saveVariations.isPending && saveVariations.variables ? saveVariations.variables.variations : (saved.data ?? [])
  const busy = generate.isPending ? 'generate' : regenerate.isPending ? `regen-${regenerate.variables?.variationId}` : null
  // what a change that loses something is undone against: the list as it is when Undo is pressed
  const current = useRef(list)
  current.current = list
  const undo = useUndo('variations.undo')

  const toInput = (next: Draft[]) => next.map(({ id, difficulty, prompt }) => ({ id, difficulty, prompt: prompt.trim() || '(empty)' }))
  const persist = (next: Draft[]) => {
    setError(null)
    saveVariations.mutate({ taskId, variations: toInput(next) }, { onError: (e) => setError(e.message) })
  }
  /** Put a list back, for an undo (its promise rejects if it cannot be saved: the toast says so). */
  const restore = (next: Draft[]) => saveVariations.mutateAsync({ taskId, variations: toInput(next) })
  const remove = (i: number) => {
    const gone = list[i]
    persist(list.filter((_, j) => j !== i))
    undo.offer({
      what: `Deleted variation ${i + 1}`,
      undo: () => {
        const now = current.current
        if (gone.id && now.some((v) => v.id === gone.id)) return
        const at = Math.min(i, now.length)
        return restore([...now.slice(0, at), gone, ...now.slice(at)])
      }
    })
  }
  const replaceAll = (before: Draft[], what: string) => undo.offer({ what, undo: () => restore(before) })
  const regenerateOne = (i: number, v: Draft) =>
    regenerate.mutate(
      { taskId, variationId: v.id!, model: variationModel.trim() || undefined },
      {
        onError: (e) => setError(e.message),
        onSuccess: () =>
          undo.offer({
            what: `Regenerated variation ${i + 1}`,
            undo: () => restore(current.current.map((x) => (x.id === v.id ? { ...x, prompt: v.prompt } : x)))
          })
      }
    )
  const move = (i: number, d: number) => {
    const next = [...list]
    const [x] = next.splice(i, 1)
    next.splice(Math.max(0, Math.min(next.length, i + d)), 0, x)
    persist(next)
  }
  const pasted = useMemo(() => (paste === null ? null : parseNumberedList(paste)), [paste])

  const task = tasks.data?.find((t) => t.id === taskId)
  if (tasks.error) return <ErrorLine error={tasks.error.message} retry={() => void tasks.refetch()} />
  if (!tasks.data) return <div className="muted pad">Loading…</div>
  if (!task) return <ErrorLine error="This task no longer exists." retry={() => void tasks.refetch()} />
  const total = DIFFICULTIES.reduce((n, d) => n + mix[d], 0)

  return (
    <section className="page">
      <div className="crumbs-inline">
        <Link to="/tasks" activeProps={{}}>
          ← Tasks
        </Link>
      </div>
      <TaskEditor key={task.id} task={task} />
      <h2>Variations ({list.length})</h2>
      {access.data && !access.data.hasKey ? (
        <div className="notice notice-warning inline">
          <div>
            <strong>No Anthropic API key.</strong> Generating variations needs one: set <code>ANTHROPIC_API_KEY</code>, or paste a key
            {access.data.canStoreKey ? ' (kept in your OS keychain)' : ' (kept for this session only)'}. You can also paste a numbered list
            of prompts instead.
            <div className="row-form">
              <input type="password" value={key} onChange={(e) => setKey(e.target.value)} placeholder="sk-ant-…" aria-label="API key" />
              <button
                disabled={key.trim().length < 10}
                onClick={() => setApiKey.mutate({ key }, { onSuccess: () => setKey(''), onError: (e) => setError(e.message) })}
              >
                Use this key
              </button>
            </div>
          </div>
        </div>
      ) : null}
      <ModelSettings baseUrl={access.data?.baseUrl ?? null} source={access.data?.source ?? null} />
      <div className="card mix">
        {DIFFICULTIES.map((d) => (
          <label key={d}>
            {d}
            <input
              data-testid={`mix-${d}`}
              type="number"
              min={0}
              max={50}
              value={mix[d]}
              onChange={(e) => setMix({ ...mix, [d]: Math.max(0, Number(e.target.value) || 0) })}
            />
          </label>
        ))}
        <label>
          model{' '}
          <input
            value={variationModel}
            onChange={(e) => setVariationModel(e.target.value)}
            className="model-input"
            list="variation-models"
            aria-label="Variation model"
            placeholder={DEFAULT_VARIATION_MODEL}
          />
          <ModelOptions id="variation-models" />
        </label>
        <button
          data-testid="generate-variations"
          disabled={!!busy || total === 0}
          onClick={() => {
            setError(null)
            const before = list
            generate.mutate(
              { taskId, mix, model: variationModel.trim() || undefined },
              {
                onError: (e) => setError(e.message),
                onSuccess: (made) =>
                  before.length &&
                  replaceAll(
                    before,
                    `Replaced ${before.length} variation${before.length === 1 ? '' : 's'} with ${made.length} new one${made.length === 1 ? '' : 's'}`
                  )
              }
            )
          }}
        >
          {busy === 'generate'
            ? `Generating ${total} variations…`
            : list.length
              ? `Regenerate all ${total}`
              : `Generate ${total} variations`}
        </button>
        <button className="ghost" onClick={() => setPaste(paste === null ? '' : null)}>
          Paste a numbered list
        </button>
      </div>
      {paste !== null ? (
        <div className="card">
          <textarea
            rows={6}
            value={paste}
            onChange={(e) => setPaste(e.target.value)}
            placeholder={'1. [easy] Build…\n2. [hard] Build… with…'}
            aria-label="Numbered list"
          />
          {pasted?.errors.map((e) => (
            <div key={e} className="error-text">
              {e}
            </div>
          ))}
          <button
            disabled={!pasted || pasted.errors.length > 0 || pasted.items.length === 0}
            onClick={() => {
              const before = list
              persist(pasted!.items)
              setPaste(null)
              if (before.length)
                replaceAll(
                  before,
                  `Replaced ${before.length} variation${before.length === 1 ? '' : 's'} with ${pasted!.items.length} pasted`
                )
            }}
          >
            Use these {pasted?.items.length ?? 0} (replaces the list)
          </button>
        </div>
      ) : null}
      {error ? <ErrorLine error={error} /> : null}
      <ol className="variations">
        {list.map((v, i) => (
          <li key={v.id ?? i} className="variation" data-testid="variation-row" data-difficulty={v.difficulty}>
            <span className="variation-number" data-testid="variation-number" aria-hidden>
              {i + 1}
            </span>
            <select
              value={v.difficulty}
              onChange={(e) => persist(list.map((x, j) => (j === i ? { ...x, difficulty: e.target.value as Difficulty } : x)))}
              aria-label="Difficulty"
            >
              {DIFFICULTIES.map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
            <textarea
              rows={2}
              defaultValue={v.prompt}
              key={`${v.id}-${v.prompt.length}`}
              onBlur={(e) => e.target.value !== v.prompt && persist(list.map((x, j) => (j === i ? { ...x, prompt: e.target.value } : x)))}
              aria-label={`Variation ${i + 1}`}
            />
            <div className="variation-tools">
              <button className="ghost" title="Move up" onClick={() => move(i, -1)} disabled={i === 0}>
                ↑
              </button>
              <button className="ghost" title="Move down" onClick={() => move(i, 1)} disabled={i === list.length - 1}>
                ↓
              </button>
              <button
                className="ghost"
                title="Regenerate this one"
                disabled={!!busy || !v.id}
                onClick={() => (setError(null), regenerateOne(i, v))}
              >
                {busy === `regen-${v.id}` ? '…' : '↻'}
              </button>
              <button className="ghost" title="Delete" onClick={() => remove(i)}>
                ✕
              </button>
            </div>
          </li>
        ))}
      </ol>
      <button className="ghost" onClick={() => persist([...list, { difficulty: 'normal', prompt: 'Describe this variation…' }])}>
        + Add a variation
      </button>
      <BatchSettings taskId={taskId} variations={list.length} hasTemplate={!!task.templateDir} />
      {undo.toast}
    </section>
  )
}

function ModelSettings({ baseUrl, source }: { baseUrl: string | null; source: string | null }) {
  const [value, setValue] = useState<string | null>(null)
  const setBaseUrl = useApiMutation('setBaseUrl')
  const save = (v: string | null) => setBaseUrl.mutate({ baseUrl: v }, { onSuccess: () => setValue(null) })
  return (
    <details className="model-settings">
      <summary className="muted">
        Model access:{' '}
        {source
          ? `API key from ${source === 'env' ? 'ANTHROPIC_API_KEY' : source === 'keychain' ? 'the OS keychain' : 'this session'}`
          : 'no API key'}
        {baseUrl ? ` · ${baseUrl}` : ''}
      </summary>
      <div className="row-form">
        <input
          value={value ?? baseUrl ?? ''}
          onChange={(e) => setValue(e.target.value)}
          placeholder="https://api.anthropic.com (default)"
          aria-label="API base URL"
        />
        <button onClick={() => save((value ?? baseUrl ?? '').trim() || null)}>Set base URL</button>
        {baseUrl ? (
          <button className="ghost" onClick={() => save(null)}>
            Default
          </button>
        ) : null}
      </div>
      {setBaseUrl.error ? <ErrorLine error={setBaseUrl.error.message} /> : null}
    </details>
  )
}

function TaskEditor({ task }: { task: Task }) {
  const [name, setName] = useState(task.name)
  const [text, setText] = useState(task.text)
  const [templateDir, setTemplateDir] = useState(task.templateDir ?? '')
  const saveTask = useApiMutation('saveTask')
  const dirty = name !== task.name || text !== task.text || templateDir !== (task.templateDir ?? '')
  const save = () => saveTask.mutate({ id: task.id, name, text, templateDir: templateDir.trim() || undefined, skillMd: task.skillMd })
  return (
    <div className="card form">
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Task
        <textarea rows={4} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <label>
        Start each run from a copy of this folder (optional)
        <span className="row-form">
          <FolderInput
            value={templateDir}
            onChange={setTemplateDir}
            placeholder="/path/to/template (empty: each run starts in an empty folder)"
            aria-label="Template folder"
            className="grow"
          />
        </span>
      </label>
      <button disabled={!dirty} onClick={save}>
        {dirty ? 'Save task' : 'Saved'}
      </button>
      {saveTask.error ? <ErrorLine error={saveTask.error.message} /> : null}
    </div>
  )
}

/** How long the claude binary field must stay unchanged before it is checked. */
export const CLAUDE_CHECK_DELAY_MS = 400

function BatchSettings({ taskId, variations, hasTemplate }: { taskId: string; variations: number; hasTemplate: boolean }) {
  const [model, setModel] = useState('')
  const [concurrency, setConcurrency] = useState(3)
  const [repeats, setRepeats] = useState(1)
  const [maxTurns, setMaxTurns] = useState(40)
  const [budget, setBudget] = useState('')
  const [claudePath, setClaudePath] = useState('')
  // null until the person picks one: then the preflight's default (sandboxed where it works)
  const [picked, setPicked] = useState<PermissionPreset | null>(null)
  const [domainsText, setDomainsText] = useState('')
  const [useMine, setUseMine] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [starting, setStarting] = useState(false)
  // The binary is checked (a process is started) once the field has settled, not on every keystroke.
  const settledPath = useDebounced(claudePath.trim(), CLAUDE_CHECK_DELAY_MS)
  const settled = settledPath === claudePath.trim()
  const check = useApi('checkClaude', { path: settledPath || undefined })
  const pre = useApi('checkSandbox', {})
  const template = useApi('inspectTemplate', hasTemplate ? { taskId } : null)
  const createBatch = useApiMutation('createBatch')
  const startBatch = useApiMutation('startBatch')
  const navigate = useNavigate()
  const preset = picked ?? pre.data?.defaultPreset ?? null
  const usable = preset && pre.data ? pre.data.presets[preset] : null
  const domains = useMemo(() => parseDomains(domainsText), [domainsText])
  const runs = variations * repeats
  const history = useTaskRunCosts(taskId)
  const estimate = batchEstimate({
    finished: history.data ?? [],
    model: model || undefined,
    runs,
    capPerRun: Number(budget) > 0 ? Number(budget) : null
  })
  const cap = Number(budget) > 0 ? Number(budget) * runs : null
  const start = async () => {
    setStarting(true)
    setError(null)
    try {
      const batch = await createBatch.mutateAsync({
        taskId,
        settings: {
          model: model || undefined,
          concurrency,
          repeats,
          maxTurns,
          maxBudgetUsd: Number(budget) > 0 ? Number(budget) : undefined,
          claudePath: claudePath.trim() || undefined,
          permission: preset!,
          allowedTools: DEFAULT_TOOLS,
          allowedDomains: preset === 'sandboxed' && domains.domains.length ? domains.domains : undefined,
          useMyClaudeSettings: useMine || undefined,
          timeoutMs: 30 * 60_000
        }
      })
      await startBatch.mutateAsync({ batchId: batch.id })
      void navigate({ to: '/batch/$batchId', params: { batchId: batch.id } })
    } catch (e) {
      setError((e as Error).message)
      setStarting(false)
    }
  }
  return (
    <div className="card form batch-settings">
      <h2>Run the batch</h2>
      <div className="grid-form">
        <label>
          Model{' '}
          <input
            value={model}
            onChange={(e) => setModel(e.target.value)}
            placeholder={RUN_MODEL_DEFAULT_LABEL}
            list="run-models"
            aria-label="Run model"
          />
          <ModelOptions id="run-models" />
        </label>
        <label>
          Runs at once{' '}
          <input type="number" min={1} max={16} value={concurrency} onChange={(e) => setConcurrency(Number(e.target.value) || 1)} />
        </label>
        <label>
          Repeats of each <input type="number" min={1} max={20} value={repeats} onChange={(e) => setRepeats(Number(e.target.value) || 1)} />
        </label>
        <label>
          Max turns <input type="number" min={1} max={1000} value={maxTurns} onChange={(e) => setMaxTurns(Number(e.target.value) || 1)} />
        </label>
        <label>
          Spending cap per run ($){' '}
          <input type="number" min={0} step="0.5" value={budget} onChange={(e) => setBudget(e.target.value)} placeholder="none" />
        </label>
        <label>
          claude binary{' '}
          <input
            data-testid="claude-path"
            value={claudePath}
            onChange={(e) => setClaudePath(e.target.value)}
            placeholder="claude (on PATH)"
          />
        </label>
      </div>
      <PresetChoice
        prefix=""
        preset={preset}
        pick={setPicked}
        pre={pre}
        noteFor={(p) => (pre.data?.defaultPreset === p ? ' (default here)' : '')}
        usable={usable}
        domainsText={domainsText}
        setDomainsText={setDomainsText}
        domainErrors={domains.errors}
        domainsPlaceholder="no network"
        mine={{ on: useMine, set: setUseMine }}
      />
      <div className="preflight" data-testid="preflight">
        <TemplateClaudeFiles testId="template-claude" inspection={template} />
        <ClaudeCheckLine testId="claude-check" settled={settled} check={check} />
        <PresetLine
          testId="preset-line"
          pre={pre}
          preset={preset}
          usable={usable}
          domains={domains.domains}
          after={<span className="muted">{picked ? 'Chosen by you.' : `${pre.data?.summary}.`}</span>}
        />
        <div>
          {runs} run{runs === 1 ? '' : 's'}
          {cap ? `, at most $${cap.toFixed(2)} in all` : ', no spending cap'}, {concurrency} at a time.
        </div>
        <div data-testid="batch-estimate" data-basis={history.data ? estimate.basis : 'loading'}>
          {history.data ? estimate.text : history.error ? `No estimate: ${history.error.message}` : 'Looking at earlier runs of this task…'}
        </div>
      </div>
      <button
        data-testid="start-batch"
        disabled={
          !runs || starting || !settled || !check.data?.ok || !usable?.available || (preset === 'sandboxed' && domains.errors.length > 0)
        }
        onClick={() => void start()}
      >
        {starting ? 'Starting…' : `Start ${runs} runs`}
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
