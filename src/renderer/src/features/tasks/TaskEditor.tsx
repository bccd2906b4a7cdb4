import { useState } from 'react'
import { type Task } from '@shared/runs'
import { useApiMutation } from '../../data/queries'
import { ErrorLine } from '../../components/ErrorLine'
import { FolderInput } from '../../components/FolderInput'

export function TaskEditor({ task }: { task: Task }) {
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
