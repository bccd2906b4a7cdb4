/** The tasks, a form for a new one, and the batches run so far. */
import { useState } from 'react'
import { Link, useNavigate } from '@tanstack/react-router'
import { useApi, useApiMutation } from '../../data/queries'
import { fmtRelative } from '../../lib/format'
import { ErrorLine } from '../../components/ErrorLine'

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
