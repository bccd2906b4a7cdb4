/**
 * A task's rubric as the person reviews it: the assertions learned from their sentences, each with the
 * runs it came from, to edit, add or delete (each a new version, made on the version shown: main
 * refuses an edit on one that has moved on). Used by the batch page's grader panel and the task page.
 * Text from models renders as plain text.
 */
import { useState } from 'react'
import type { RubricView } from '@shared/grading'
import { useApiMutation } from '../../data/queries'
import { ErrorLine } from '../../components/ErrorLine'

export function RubricList({ view }: { view: RubricView }) {
  const edit = useApiMutation('editRubric')
  const [editing, setEditing] = useState<{ id: string | null; text: string } | null>(null)
  const base = view.current.id
  const save = () => {
    if (!editing) return
    const text = editing.text.trim()
    if (!text) return
    edit.mutate(
      editing.id
        ? { rubricId: view.rubric.id, baseVersionId: base, edit: { op: 'edit', assertionId: editing.id, text } }
        : { rubricId: view.rubric.id, baseVersionId: base, edit: { op: 'add', text } },
      { onSuccess: () => setEditing(null) }
    )
  }
  const field = (
    <span className="row">
      <input
        aria-label="Assertion"
        autoFocus
        value={editing?.text ?? ''}
        onChange={(e) => setEditing((x) => (x ? { ...x, text: e.target.value } : x))}
        onKeyDown={(e) => {
          if (e.key === 'Enter') save()
          if (e.key === 'Escape') setEditing(null)
        }}
      />
      <button onClick={save} disabled={edit.isPending}>
        Save
      </button>
      <button onClick={() => setEditing(null)}>Cancel</button>
    </span>
  )
  return (
    <div data-testid="rubric">
      <div className="muted">
        Version {view.current.number} of {view.history.length}: {view.current.note}
      </div>
      <ol>
        {view.current.assertions.map((a) => (
          <li key={a.id} data-testid="assertion">
            {editing?.id === a.id ? (
              field
            ) : (
              <>
                <span>{a.text}</span>{' '}
                <span className="muted">
                  {[a.runs.length ? `(runs ${a.runs.join(', ')})` : '', a.by === 'person' ? '· yours' : ''].filter(Boolean).join(' ')}
                </span>{' '}
                <button className="link" onClick={() => setEditing({ id: a.id, text: a.text })}>
                  Edit
                </button>{' '}
                <button
                  className="link"
                  onClick={() => edit.mutate({ rubricId: view.rubric.id, baseVersionId: base, edit: { op: 'delete', assertionId: a.id } })}
                >
                  Delete
                </button>
              </>
            )}
          </li>
        ))}
      </ol>
      {editing && editing.id === null ? field : <button onClick={() => setEditing({ id: null, text: '' })}>Add an assertion</button>}
      {edit.error ? <ErrorLine error={edit.error.message} /> : null}
    </div>
  )
}
