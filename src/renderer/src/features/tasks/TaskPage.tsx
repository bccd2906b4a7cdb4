/** Step 1 for people who never open a terminal: a task, its variations (generated, pasted, edited, with undo) and running them. */
import { useMemo, useRef, useState } from 'react'
import { Link } from '@tanstack/react-router'
import { DEFAULT_MIX, DIFFICULTIES, parseNumberedList, type Difficulty, type Mix } from '@shared/runs'
import { useApi, useApiMutation } from '../../data/queries'
import { useUndo } from '../../lib/undo'
import { ErrorLine } from '../../components/ErrorLine'
import { DEFAULT_VARIATION_MODEL } from '@shared/models'
import { ModelOptions } from '../run-settings/RunSettingsFields'
import { TaskEditor } from './TaskEditor'
import { ModelSettings } from './ModelSettings'
import { BatchSettings } from './BatchSettings'
import { TaskRubric } from '../grading/TaskRubric'

type Draft = { id?: string; difficulty: Difficulty; prompt: string; nearMiss?: boolean }

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

  const toInput = (next: Draft[]) =>
    next.map(({ id, difficulty, prompt, nearMiss }) => ({
      id,
      difficulty,
      prompt: prompt.trim() || '(empty)',
      ...(nearMiss ? { nearMiss } : {})
    }))
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
            placeholder={
              '1. [easy] Build…\n2. [hard] Build… with…\n3. [near-miss] Fix the typo in… (a different job: not run unless included)'
            }
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
            <div className="variation-kind">
              <select
                value={v.difficulty}
                onChange={(e) => persist(list.map((x, j) => (j === i ? { ...x, difficulty: e.target.value as Difficulty } : x)))}
                aria-label="Difficulty"
              >
                {DIFFICULTIES.map((d) => (
                  <option key={d}>{d}</option>
                ))}
              </select>
              {v.nearMiss ? (
                <button
                  className="badge near-miss"
                  data-testid="near-miss-badge"
                  title="A near miss: similar words, a different job (a case the skill should not be used for). Not run in a batch unless you include near misses. Click to make it an ordinary variation."
                  onClick={() => persist(list.map((x, j) => (j === i ? { ...x, nearMiss: false } : x)))}
                >
                  near miss ✕
                </button>
              ) : null}
            </div>
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
              {v.nearMiss ? null : (
                <button
                  className="ghost"
                  data-testid="near-miss-mark"
                  title="Mark as a near miss: similar words, a different job (a case the skill should not be used for); kept with the task, not run unless you include near misses"
                  aria-label="Mark as a near miss"
                  onClick={() => persist(list.map((x, j) => (j === i ? { ...x, nearMiss: true } : x)))}
                >
                  ≉
                </button>
              )}
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
      <BatchSettings
        taskId={taskId}
        variations={list.filter((v) => !v.nearMiss).length}
        nearMisses={list.filter((v) => v.nearMiss).length}
        hasTemplate={!!task.templateDir}
      />
      <TaskRubric taskId={taskId} />
      {undo.toast}
    </section>
  )
}
