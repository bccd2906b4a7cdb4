/**
 * The trigger queries in two lists, "Should load it" and "Should not: near misses": each prompt as
 * inert text with where it came from; add one, remove, move to the other list, edit; save the set
 * (unsaved changes said, Undo / Ctrl+Z); ask the variation writer for N near misses.
 */
import { useState } from 'react'
import type { TriggerQuery, TriggersView } from '@shared/triggers'
import { AutoTextarea } from '../../components/AutoTextarea'
import { ErrorLine } from '../../components/ErrorLine'
import { useApiMutation } from '../../data/queries'
import { count, fmtLocalTime } from '../../lib/format'
import { SOURCE_BADGE, SOURCE_WORDS } from './words'
import type { useQueryDraft } from './useQueryDraft'

type Draft = ReturnType<typeof useQueryDraft>

export function QuerySet({ view, d, busy }: { view: TriggersView; d: Draft; busy: boolean }) {
  const [prompt, setPrompt] = useState('')
  const [should, setShould] = useState(true)
  const [n, setN] = useState(10)
  const write = useApiMutation('writeNearMisses')
  const shouldList = d.draft.filter((q) => q.should)
  const notList = d.draft.filter((q) => !q.should)
  const error = d.save.error ?? write.error
  const nOk = Number.isInteger(n) && n >= 1 && n <= 30
  return (
    <div className="card trigger-queries" data-testid="trigger-queries">
      <div className="label">Trigger queries</div>
      <p className="muted" data-testid="queries-reviewed">
        {view.reviewedAt
          ? `Your set, saved ${fmtLocalTime(view.reviewedAt)}.`
          : "Not reviewed yet: the prompts of the skill's batches and verifications, and its near-miss variations. Check them, then save the set."}
      </p>
      <div className="trigger-lists">
        <QueryList title="Should load it" testId="should-list" list={shouldList} all={d.draft} d={d} />
        <QueryList title="Should not: near misses" testId="should-not-list" list={notList} all={d.draft} d={d} />
      </div>
      <form
        className="trigger-add"
        onSubmit={(e) => {
          e.preventDefault()
          if (d.add(prompt, should)) setPrompt('')
        }}
      >
        <AutoTextarea
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          placeholder="A prompt someone might give Claude Code (Ctrl+Enter adds it)"
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault()
              if (d.add(prompt, should)) setPrompt('')
            }
          }}
          aria-label="New query"
          data-testid="add-query-text"
        />
        <label>
          <input type="radio" checked={should} onChange={() => setShould(true)} data-testid="add-should" /> should load it
        </label>
        <label>
          <input type="radio" checked={!should} onChange={() => setShould(false)} data-testid="add-should-not" /> should not (a near miss)
        </label>
        <button type="submit" data-testid="add-query">
          Add
        </button>
      </form>
      {d.problem ? (
        <div className="error-text" role="alert" data-testid="query-problem">
          {d.problem}
        </div>
      ) : null}
      <div className="trigger-set-bar">
        <button
          className="primary"
          disabled={!d.dirty || d.save.isPending}
          onClick={d.saveSet}
          data-testid="save-queries"
          title="Save the set (Ctrl+S): measuring uses the saved set"
        >
          {d.save.isPending ? 'Saving…' : d.dirty ? 'Save the set (Ctrl+S)' : 'Saved'}
        </button>
        <button onClick={d.undo.undoLast} disabled={!d.undo.canUndo} title="Undo the last change (Ctrl+Z)" data-testid="undo-query">
          Undo
        </button>
        {d.dirty ? (
          <>
            <span className="muted" data-testid="queries-unsaved">
              unsaved changes: measuring uses the saved set
            </span>
            <button className="ghost" onClick={d.discard} data-testid="discard-queries">
              Discard changes
            </button>
          </>
        ) : null}
        <span className="grow" />
        <label>
          <input
            type="number"
            min={1}
            max={30}
            value={n}
            onChange={(e) => setN(Number(e.target.value))}
            aria-label="How many near misses"
            data-testid="near-miss-count"
          />
        </label>
        <button
          disabled={write.isPending || d.dirty || busy || !nOk}
          title={
            !nOk
              ? 'From 1 to 30 at a time'
              : d.dirty
                ? 'Save the set first'
                : 'Ask the variation writer for prompts that share words with the task but ask for other work'
          }
          onClick={() => write.mutate({ skillId: view.skillId, count: n })}
          data-testid="write-near-misses"
        >
          {write.isPending ? 'Writing near misses…' : nOk ? `Write ${count(n, 'near miss', 'near misses')}` : 'Write near misses (1 to 30)'}
        </button>
      </div>
      {error ? <ErrorLine error={error.message} /> : null}
      {d.undo.toast}
    </div>
  )
}

function QueryList({
  title,
  testId,
  list,
  all,
  d
}: {
  title: string
  testId: string
  list: TriggerQuery[]
  all: TriggerQuery[]
  d: Draft
}) {
  return (
    <div className="trigger-list" data-testid={testId}>
      <h3>
        {title} <span className="muted">{list.length}</span>
      </h3>
      {list.length ? null : <p className="muted">None yet.</p>}
      <ol>
        {list.map((q) => (
          <QueryRow key={q.id} q={q} n={all.indexOf(q) + 1} d={d} />
        ))}
      </ol>
    </div>
  )
}

function QueryRow({ q, n, d }: { q: TriggerQuery; n: number; d: Draft }) {
  const [editing, setEditing] = useState<string | null>(null)
  return (
    <li className="trigger-query" data-testid="query-row" data-should={q.should ? 'true' : 'false'}>
      {editing === null ? (
        <div className="query-prompt" data-testid="query-prompt">
          {q.prompt}
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault()
            if (d.edit(q.id, editing)) setEditing(null)
          }}
        >
          <AutoTextarea
            value={editing}
            onChange={(e) => setEditing(e.target.value)}
            aria-label={`Query ${n}`}
            data-testid="query-edit-text"
            autoFocus
          />
          <button type="submit" data-testid="query-edit-done">
            Done
          </button>
          <button type="button" className="ghost" onClick={() => setEditing(null)}>
            Cancel
          </button>
        </form>
      )}
      <div className="query-actions">
        <span className={`badge source-${q.source}`} title={SOURCE_WORDS[q.source]} data-testid="query-source">
          {SOURCE_BADGE[q.source]}
        </span>
        {editing === null ? (
          <button className="ghost" onClick={() => setEditing(q.prompt)} data-testid="query-edit" aria-label={`Edit query ${n}`}>
            Edit
          </button>
        ) : null}
        <button
          className="ghost"
          onClick={() => d.flip(q.id)}
          data-testid="query-flip"
          title={q.should ? 'It should not load the skill: a near miss' : 'It should load the skill'}
        >
          {q.should ? '→ should not' : '→ should load it'}
        </button>
        <button className="ghost" onClick={() => d.remove(q.id)} data-testid="query-remove" aria-label={`Remove query ${n}`}>
          Remove
        </button>
      </div>
    </li>
  )
}
