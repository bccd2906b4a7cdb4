/**
 * A folder path field with completion from the app (listFolders): as the path is typed, the
 * sub-folders of the folder typed so far are offered (a datalist, so arrows and Enter pick one). In the
 * desktop app a "Choose…" button opens the system's folder dialog; the web mode has none, so the field
 * says in place that a path is typed there, with folders suggested.
 */
import { useId } from 'react'
import { useApi, useApiMutation } from '../data/queries'
import { useDebounced } from '../lib/hooks'

/** How long the path must stay unchanged before its folder is read. */
export const FOLDER_COMPLETION_DELAY_MS = 150

export function FolderInput(props: {
  value: string
  onChange: (path: string) => void
  placeholder: string
  'aria-label': string
  'data-testid'?: string
  className?: string
  autoFocus?: boolean
  /** false: no Choose… button (where the dialog was just offered) */
  choose?: boolean
  onKeyDown?: (e: React.KeyboardEvent<HTMLInputElement>) => void
}) {
  const listId = useId()
  const info = useApi('getAppInfo', {})
  const desktop = info.data?.mode === 'electron'
  const pickFolder = useApiMutation('pickFolder')
  const typed = useDebounced(props.value.trim(), FOLDER_COMPLETION_DELAY_MS)
  const complete = typed.startsWith('/')
  const folders = useApi('listFolders', complete ? { path: typed } : null)
  // each suggestion continues the path as typed, so the field's own filtering keeps it
  const base = typed.slice(0, typed.lastIndexOf('/') + 1)
  return (
    <>
      <input
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        placeholder={desktop ? props.placeholder : `${props.placeholder} (type it: folders are suggested)`}
        aria-label={props['aria-label']}
        data-testid={props['data-testid']}
        className={props.className}
        autoFocus={props.autoFocus}
        onKeyDown={props.onKeyDown}
        list={listId}
        autoComplete="off"
        spellCheck={false}
      />
      <datalist id={listId} data-testid="folder-suggestions">
        {complete && base ? folders.data?.names.map((n) => <option key={n} value={`${base}${n}/`} />) : null}
      </datalist>
      {desktop && props.choose !== false ? (
        <button type="button" onClick={() => pickFolder.mutate({}, { onSuccess: (r) => r.path && props.onChange(r.path) })}>
          Choose…
        </button>
      ) : null}
    </>
  )
}
