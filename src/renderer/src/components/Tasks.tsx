/** Step 1 for people who never open a terminal: describe a task, get variations, run them. */
import { useEffect, useMemo, useState } from 'react'
import { DEFAULT_MIX, DEFAULT_TOOLS, DIFFICULTIES, describePreset, parseDomains, parseNumberedList, PERMISSION_PRESETS, PRESET_LABELS, type Difficulty, type Mix, type PermissionPreset, type Task, type Variation } from '@shared/runs'
import { api } from '../api'
import { fmtRelative } from '../lib/format'
import { go, useAsync } from '../lib/hooks'
import { ErrorLine } from './ErrorLine'
import { batchEstimate } from '@shared/estimate'
import { DEFAULT_VARIATION_MODEL, MODELS, modelLabel, RUN_MODEL_DEFAULT_LABEL } from '@shared/models'

/** The models on offer (src/shared/models.ts), for an <input list={id}>. */
function ModelOptions({ id }: { id: string }) {
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
  const tasks = useAsync(() => api().listTasks({}), [])
  const batches = useAsync(() => api().listBatches({}), [])
  const [name, setName] = useState('')
  const [text, setText] = useState('')
  const [error, setError] = useState<string | null>(null)
  const create = async () => {
    setError(null)
    try {
      const t = await api().saveTask({ name, text })
      go('task', t.id)
    } catch (e) {
      setError((e as Error).message)
    }
  }
  return (
    <section className="page">
      <h1>Tasks</h1>
      <p className="muted">A task is what you want Claude Code to get good at. It is run many times, in variations, so you can grade what each run made.</p>
      <form
        className="card form"
        onSubmit={(e) => {
          e.preventDefault()
          void create()
        }}
      >
        <label>
          Name
          <input data-testid="new-task-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Landing page" required />
        </label>
        <label>
          What should Claude Code do?
          <textarea data-testid="new-task-text" value={text} onChange={(e) => setText(e.target.value)} rows={4} placeholder="Build a single-file landing page (index.html) for…" required />
        </label>
        <button data-testid="create-task" type="submit" disabled={!name.trim() || !text.trim()}>
          Create task
        </button>
        {error ? <ErrorLine error={error} /> : null}
      </form>
      {tasks.error ? <ErrorLine error={tasks.error} retry={tasks.reload} /> : null}
      <ul className="list">
        {tasks.data?.map((t) => (
          <li key={t.id}>
            <a href={`#/task/${encodeURIComponent(t.id)}`} data-testid="task-row">
              <strong>{t.name}</strong> <span className="muted">· updated {fmtRelative(t.updatedAt)}</span>
            </a>
          </li>
        ))}
      </ul>
      {batches.data?.length ? (
        <>
          <h2>Batches</h2>
          <ul className="list">
            {batches.data.map(({ batch, status }) => (
              <li key={batch.id}>
                <a href={`#/batch/${encodeURIComponent(batch.id)}`}>
                  <strong>{batch.name}</strong>{' '}
                  <span className="muted">
                    · {status.done} done, {status.failed} failed of {status.total} · {fmtRelative(batch.createdAt)}
                  </span>
                </a>
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
  const task = useAsync(async () => (await api().listTasks({})).find((t) => t.id === taskId) ?? Promise.reject(new Error('This task no longer exists.')), [taskId])
  const access = useAsync(() => api().getModelAccess({}), [])
  const saved = useAsync(() => api().getVariations({ taskId }), [taskId])
  const [list, setList] = useState<Draft[]>([])
  const [mix, setMix] = useState<Mix>(DEFAULT_MIX)
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [paste, setPaste] = useState<string | null>(null)
  const [key, setKey] = useState('')
  const [variationModel, setVariationModel] = useState(DEFAULT_VARIATION_MODEL)
  useEffect(() => setList(saved.data ?? []), [saved.data])

  const persist = async (next: Draft[]) => {
    setList(next)
    try {
      const back = await api().saveVariations({ taskId, variations: next.map(({ id, difficulty, prompt }) => ({ id, difficulty, prompt: prompt.trim() || '(empty)' })) })
      setList(back)
    } catch (e) {
      setError((e as Error).message)
    }
  }
  const run = async (label: string, fn: () => Promise<Variation[]>) => {
    setBusy(label)
    setError(null)
    try {
      setList(await fn())
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(null)
    }
  }
  const move = (i: number, d: number) => {
    const next = [...list]
    const [x] = next.splice(i, 1)
    next.splice(Math.max(0, Math.min(next.length, i + d)), 0, x)
    void persist(next)
  }
  const pasted = useMemo(() => (paste === null ? null : parseNumberedList(paste)), [paste])

  if (task.error) return <ErrorLine error={task.error} retry={task.reload} />
  if (!task.data) return <div className="muted pad">Loading…</div>
  const total = DIFFICULTIES.reduce((n, d) => n + mix[d], 0)

  return (
    <section className="page">
      <div className="crumbs-inline">
        <a href="#/tasks">← Tasks</a>
      </div>
      <TaskEditor task={task.data} onSaved={task.reload} />
      <h2>Variations ({list.length})</h2>
      {access.data && !access.data.hasKey ? (
        <div className="notice notice-warning inline">
          <div>
            <strong>No Anthropic API key.</strong> Generating variations needs one: set <code>ANTHROPIC_API_KEY</code>, or paste a key
            {access.data.canStoreKey ? ' (kept in your OS keychain)' : ' (kept for this session only)'}. You can also paste a numbered list of prompts instead.
            <div className="row-form">
              <input type="password" value={key} onChange={(e) => setKey(e.target.value)} placeholder="sk-ant-…" aria-label="API key" />
              <button disabled={key.trim().length < 10} onClick={() => void api().setApiKey({ key }).then(() => (setKey(''), access.reload()), (e: Error) => setError(e.message))}>
                Use this key
              </button>
            </div>
          </div>
        </div>
      ) : null}
      <ModelSettings baseUrl={access.data?.baseUrl ?? null} source={access.data?.source ?? null} onChanged={access.reload} />
      <div className="card mix">
        {DIFFICULTIES.map((d) => (
          <label key={d}>
            {d}
            <input data-testid={`mix-${d}`} type="number" min={0} max={50} value={mix[d]} onChange={(e) => setMix({ ...mix, [d]: Math.max(0, Number(e.target.value) || 0) })} />
          </label>
        ))}
        <label>
          model <input value={variationModel} onChange={(e) => setVariationModel(e.target.value)} size={18} list="variation-models" aria-label="Variation model" placeholder={DEFAULT_VARIATION_MODEL} />
          <ModelOptions id="variation-models" />
        </label>
        <button data-testid="generate-variations" disabled={!!busy || total === 0} onClick={() => void run('generate', () => api().generateVariations({ taskId, mix, model: variationModel.trim() || undefined }))}>
          {busy === 'generate' ? `Generating ${total} variations…` : list.length ? `Regenerate all ${total}` : `Generate ${total} variations`}
        </button>
        <button className="ghost" onClick={() => setPaste(paste === null ? '' : null)}>
          Paste a numbered list
        </button>
      </div>
      {paste !== null ? (
        <div className="card">
          <textarea rows={6} value={paste} onChange={(e) => setPaste(e.target.value)} placeholder={'1. [easy] Build…\n2. [hard] Build… with…'} aria-label="Numbered list" />
          {pasted?.errors.map((e) => (
            <div key={e} className="error-text">
              {e}
            </div>
          ))}
          <button
            disabled={!pasted || pasted.errors.length > 0 || pasted.items.length === 0}
            onClick={() => {
              void persist(pasted!.items)
              setPaste(null)
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
            <select value={v.difficulty} onChange={(e) => void persist(list.map((x, j) => (j === i ? { ...x, difficulty: e.target.value as Difficulty } : x)))} aria-label="Difficulty">
              {DIFFICULTIES.map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
            <textarea
              rows={2}
              defaultValue={v.prompt}
              key={`${v.id}-${v.prompt.length}`}
              onBlur={(e) => e.target.value !== v.prompt && void persist(list.map((x, j) => (j === i ? { ...x, prompt: e.target.value } : x)))}
              aria-label={`Variation ${i + 1}`}
            />
            <div className="variation-tools">
              <button className="ghost" title="Move up" onClick={() => move(i, -1)} disabled={i === 0}>
                ↑
              </button>
              <button className="ghost" title="Move down" onClick={() => move(i, 1)} disabled={i === list.length - 1}>
                ↓
              </button>
              <button className="ghost" title="Regenerate this one" disabled={!!busy || !v.id} onClick={() => void run(`regen-${i}`, () => api().regenerateVariation({ taskId, variationId: v.id!, model: variationModel.trim() || undefined }))}>
                {busy === `regen-${i}` ? '…' : '↻'}
              </button>
              <button className="ghost" title="Delete" onClick={() => void persist(list.filter((_, j) => j !== i))}>
                ✕
              </button>
            </div>
          </li>
        ))}
      </ol>
      <button className="ghost" onClick={() => void persist([...list, { difficulty: 'normal', prompt: 'Describe this variation…' }])}>
        + Add a variation
      </button>
      <BatchSettings taskId={taskId} variations={list.length} />
    </section>
  )
}

function ModelSettings({ baseUrl, source, onChanged }: { baseUrl: string | null; source: string | null; onChanged: () => void }) {
  const [value, setValue] = useState(baseUrl ?? '')
  const [error, setError] = useState<string | null>(null)
  useEffect(() => setValue(baseUrl ?? ''), [baseUrl])
  const save = (v: string | null) =>
    api()
      .setBaseUrl({ baseUrl: v })
      .then(
        () => (setError(null), onChanged()),
        (e: Error) => setError(e.message)
      )
  return (
    <details className="model-settings">
      <summary className="muted">
        Model access: {source ? `API key from ${source === 'env' ? 'ANTHROPIC_API_KEY' : source === 'keychain' ? 'the OS keychain' : 'this session'}` : 'no API key'}
        {baseUrl ? ` · ${baseUrl}` : ''}
      </summary>
      <div className="row-form">
        <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="https://api.anthropic.com (default)" aria-label="API base URL" />
        <button onClick={() => void save(value.trim() || null)}>Set base URL</button>
        {baseUrl ? (
          <button className="ghost" onClick={() => void save(null)}>
            Default
          </button>
        ) : null}
      </div>
      {error ? <ErrorLine error={error} /> : null}
    </details>
  )
}

function TaskEditor({ task, onSaved }: { task: Task; onSaved: () => void }) {
  const [name, setName] = useState(task.name)
  const [text, setText] = useState(task.text)
  const [templateDir, setTemplateDir] = useState(task.templateDir ?? '')
  const [error, setError] = useState<string | null>(null)
  const dirty = name !== task.name || text !== task.text || templateDir !== (task.templateDir ?? '')
  const save = async () => {
    setError(null)
    try {
      await api().saveTask({ id: task.id, name, text, templateDir: templateDir.trim() || undefined, skillMd: task.skillMd })
      onSaved()
    } catch (e) {
      setError((e as Error).message)
    }
  }
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
        <input value={templateDir} onChange={(e) => setTemplateDir(e.target.value)} placeholder="/path/to/template (empty: each run starts in an empty folder)" />
      </label>
      <button disabled={!dirty} onClick={() => void save()}>
        {dirty ? 'Save task' : 'Saved'}
      </button>
      {error ? <ErrorLine error={error} /> : null}
    </div>
  )
}

const PRESET_HELP: Record<PermissionPreset, string> = {
  sandboxed: 'Claude Code\'s sandbox: Bash writes only inside the run\'s folder and reaches only the hosts you allow (none by default); file edits stay inside the run\'s folder.',
  'accept-edits': `no sandbox; runs may edit files and use ${DEFAULT_TOOLS.join(', ')} without asking, with your user's access to files and network.`,
  'full-access': 'no permission checks at all (bypassPermissions).'
}

function BatchSettings({ taskId, variations }: { taskId: string; variations: number }) {
  const [model, setModel] = useState('')
  const [concurrency, setConcurrency] = useState(3)
  const [repeats, setRepeats] = useState(1)
  const [maxTurns, setMaxTurns] = useState(40)
  const [budget, setBudget] = useState('')
  const [claudePath, setClaudePath] = useState('')
  // null until the person picks one: then the preflight's default (sandboxed where it works)
  const [picked, setPicked] = useState<PermissionPreset | null>(null)
  const [domainsText, setDomainsText] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [starting, setStarting] = useState(false)
  const check = useAsync(() => api().checkClaude({ path: claudePath || undefined }), [claudePath])
  const pre = useAsync(() => api().checkSandbox({}), [])
  const preset = picked ?? pre.data?.defaultPreset ?? null
  const usable = preset && pre.data ? pre.data.presets[preset] : null
  const domains = useMemo(() => parseDomains(domainsText), [domainsText])
  const runs = variations * repeats
  const history = useTaskRunCosts(taskId)
  const estimate = batchEstimate({ finished: history.data ?? [], model: model || undefined, runs, capPerRun: Number(budget) > 0 ? Number(budget) : null })
  const cap = Number(budget) > 0 ? Number(budget) * runs : null
  const start = async () => {
    setStarting(true)
    setError(null)
    try {
      const batch = await api().createBatch({
        taskId,
        settings: {
          model: model || undefined,
          concurrency,
          repeats,
          maxTurns,
          maxBudgetUsd: Number(budget) > 0 ? Number(budget) : undefined,
          claudePath: claudePath || undefined,
          permission: preset!,
          allowedTools: DEFAULT_TOOLS,
          allowedDomains: preset === 'sandboxed' && domains.domains.length ? domains.domains : undefined,
          timeoutMs: 30 * 60_000
        }
      })
      await api().startBatch({ batchId: batch.id })
      go('batch', batch.id)
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
          Model <input value={model} onChange={(e) => setModel(e.target.value)} placeholder={RUN_MODEL_DEFAULT_LABEL} list="run-models" aria-label="Run model" />
          <ModelOptions id="run-models" />
        </label>
        <label>
          Runs at once <input type="number" min={1} max={16} value={concurrency} onChange={(e) => setConcurrency(Number(e.target.value) || 1)} />
        </label>
        <label>
          Repeats of each <input type="number" min={1} max={20} value={repeats} onChange={(e) => setRepeats(Number(e.target.value) || 1)} />
        </label>
        <label>
          Max turns <input type="number" min={1} max={1000} value={maxTurns} onChange={(e) => setMaxTurns(Number(e.target.value) || 1)} />
        </label>
        <label>
          Spending cap per run ($) <input type="number" min={0} step="0.5" value={budget} onChange={(e) => setBudget(e.target.value)} placeholder="none" />
        </label>
        <label>
          claude binary <input data-testid="claude-path" value={claudePath} onChange={(e) => setClaudePath(e.target.value)} placeholder="claude (on PATH)" />
        </label>
      </div>
      <fieldset className="presets" data-testid="presets">
        <legend>Permissions</legend>
        {PERMISSION_PRESETS.map((p) => (
          <label className="check" key={p}>
            <input type="radio" name="preset" data-testid={`preset-${p}`} checked={preset === p} disabled={!pre.data} onChange={() => setPicked(p)} />
            <span>
              <strong>{PRESET_LABELS[p]}</strong>
              {pre.data?.defaultPreset === p ? ' (default here)' : ''}: {PRESET_HELP[p]}
              {pre.data && !pre.data.presets[p].available ? <span className="error-text"> Not available here.</span> : null}
            </span>
          </label>
        ))}
      </fieldset>
      {preset === 'sandboxed' ? (
        <label>
          Hosts runs may reach (none by default; e.g. registry.npmjs.org, *.example.com, localhost:8080)
          <input data-testid="allowed-domains" value={domainsText} onChange={(e) => setDomainsText(e.target.value)} placeholder="no network" />
          {domains.errors.map((e) => (
            <div key={e} className="error-text">
              {e}
            </div>
          ))}
        </label>
      ) : null}
      {preset === 'full-access' ? (
        <div className="notice notice-warning inline">
          Full access lets every run execute any command without asking, in its workspace and beyond it, with your files and network. Adversarial variations are written to break the agent: use it only on a machine or container you can throw away.
        </div>
      ) : null}
      {preset && usable && !usable.available ? (
        <div className="notice notice-warning inline" data-testid="preset-unavailable">
          <div>
            <strong>{PRESET_LABELS[preset]} is not available here:</strong> {usable.reason}.
            {preset === 'sandboxed' ? (
              <div className="row-form">
                <button data-testid="use-accept-edits" onClick={() => setPicked('accept-edits')}>
                  Run with Accept edits instead (no sandbox)
                </button>
              </div>
            ) : null}
          </div>
        </div>
      ) : null}
      <div className="preflight" data-testid="preflight">
        {check.loading ? 'Checking claude…' : check.data?.ok ? `✓ ${check.data.version}` : check.data ? <span className="error-text">✗ {check.data.error}. {check.data.install}</span> : null}
        <div data-testid="preset-line">
          {pre.error ? (
            <span className="error-text">Could not check the sandbox: {pre.error}</span>
          ) : !preset || !pre.data ? (
            'Checking the sandbox…'
          ) : (
            <>
              {usable?.available ? '✓' : '✗'} {describePreset({ permission: preset, allowedDomains: domains.domains })}.{' '}
              <span className="muted">{picked ? 'Chosen by you.' : `${pre.data.summary}.`}</span>
            </>
          )}
        </div>
        <div>
          {runs} run{runs === 1 ? '' : 's'}
          {cap ? `, at most $${cap.toFixed(2)} in all` : ', no spending cap'}, {concurrency} at a time.
        </div>
        <div data-testid="batch-estimate" data-basis={history.data ? estimate.basis : 'loading'}>
          {history.data ? estimate.text : history.error ? `No estimate: ${history.error}` : 'Looking at earlier runs of this task…'}
        </div>
      </div>
      <button data-testid="start-batch" disabled={!runs || starting || !check.data?.ok || !usable?.available || (preset === 'sandboxed' && domains.errors.length > 0)} onClick={() => void start()}>
        {starting ? 'Starting…' : `Start ${runs} runs`}
      </button>
      {error ? <ErrorLine error={error} /> : null}
    </div>
  )
}

/** The cost of every finished run of a task's earlier batches (the basis of the batch estimate), with the model each batch asked for. */
function useTaskRunCosts(taskId: string) {
  return useAsync(async () => {
    const batches = await api().listBatches({ taskId })
    const all = await Promise.all(batches.map(({ batch }) => api().getBatch({ batchId: batch.id })))
    return all.flatMap(({ batch, runs }) => runs.filter((r) => r.state === 'done').map((r) => ({ costUsd: r.progress.costUsd, model: batch.settings.model })))
  }, [taskId])
}
