import { useState } from 'react'
import { useApi, useApiMutation } from '../../data/queries'
import { DiffView } from '../../components/DiffView'
import { ErrorLine } from '../../components/ErrorLine'
import { FolderInput } from '../../components/FolderInput'
import { FlaggedConfirm } from '../../components/TextFlags'

export function ExportPanel({
  skillId,
  dirty,
  problems,
  batchId
}: {
  skillId: string
  dirty: boolean
  problems: string[]
  batchId?: string
}) {
  const [folder, setFolder] = useState('')
  // flagged texts (a command, a URL, text copied from a run) are written only once the person ticked that they read them
  const [acceptFlagged, setAcceptFlagged] = useState(false)
  // the folder the person asked to preview (the plan is read for it, and dropped when the folder changes)
  const [previewed, setPreviewed] = useState<string | null>(null)
  const plan = useApi('planSkillExport', previewed ? { skillId, folder: previewed } : null)
  const exportSkill = useApiMutation('exportSkill')
  const error = plan.error ?? exportSkill.error
  const blocked = dirty
    ? 'Save your changes first: the export writes the saved version.'
    : problems.length
      ? 'Fix the front matter first.'
      : null
  const choose = (path: string) => {
    setFolder(path)
    setPreviewed(null)
  }
  const preview = () => {
    exportSkill.reset()
    setAcceptFlagged(false)
    // a new folder is read when its plan's query starts; the same one again is asked afresh (never
    // refetch the waiting query: with no input it has nothing to ask, and its error would stay on screen)
    if (previewed === folder.trim()) void plan.refetch()
    else setPreviewed(folder.trim())
  }
  const result = exportSkill.data
  const toWrite = plan.data?.files.filter((f) => f.status !== 'same').length ?? 0
  return (
    <div className="card export" data-testid="export">
      <div className="label">Export into a project</div>
      <div className="row-form">
        <FolderInput
          value={folder}
          onChange={choose}
          placeholder="/path/to/your/project"
          aria-label="Project folder"
          data-testid="export-folder"
          className="grow"
        />
        <button disabled={!folder.trim() || !!blocked} onClick={preview} data-testid="export-preview">
          Preview
        </button>
      </div>
      {blocked ? <div className="muted">{blocked}</div> : null}
      {previewed && plan.data && !result ? (
        <div data-testid="export-plan">
          <div className="muted">Into {plan.data.folder}:</div>
          <ul className="file-tree">
            {plan.data.files.map((f) => (
              <li key={f.path}>
                <code>{f.path}</code>{' '}
                <span className={`badge status-${f.status}`}>
                  {f.status === 'changed'
                    ? 'replaces the file there (backed up)'
                    : f.status === 'same'
                      ? 'already there, identical'
                      : 'new'}
                </span>
                {f.diff ? (
                  <details>
                    <summary className="muted small">diff against the file there</summary>
                    <DiffView diff={f.diff} />
                  </details>
                ) : null}
              </li>
            ))}
          </ul>
          {toWrite === 0 ? (
            <div className="muted" data-testid="export-nothing">
              Nothing to write: every file in {plan.data.folder} is already identical.
            </div>
          ) : (
            <>
              <FlaggedConfirm flagged={plan.data.flagged ?? []} accepted={acceptFlagged} onAccept={setAcceptFlagged} batchId={batchId} />
              <button
                className="primary"
                disabled={exportSkill.isPending || (!!plan.data.flagged?.length && !acceptFlagged)}
                title={plan.data.flagged?.length && !acceptFlagged ? 'Read the flagged texts above and tick the box first' : undefined}
                onClick={() =>
                  exportSkill.mutate(
                    { skillId, folder: previewed, ...(plan.data?.flagged?.length ? { acceptFlagged } : {}) },
                    { onSuccess: () => setPreviewed(null) }
                  )
                }
                data-testid="export-write"
              >
                Export {toWrite} {toWrite === 1 ? 'file' : 'files'}
              </button>
            </>
          )}
        </div>
      ) : null}
      {result ? (
        <div data-testid="export-result" className="ok-text">
          Wrote {result.written.length} files into {result.folder}
          {result.unchanged.length ? `, ${result.unchanged.length} already identical` : ''}.
          {result.backups.length ? ` Replaced files were backed up: ${result.backups.map((b) => b.backup).join(', ')}` : ''}
        </div>
      ) : null}
      {error ? <ErrorLine error={error.message} /> : null}
    </div>
  )
}
