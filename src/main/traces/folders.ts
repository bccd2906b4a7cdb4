/**
 * Completion for a typed folder path (the web mode has no folder dialog): the sub-folders of the
 * folder typed so far whose names start with what follows the last slash. Read-only, names only,
 * folders only: the folder is read as a list of names (nothing in it is opened or followed; a
 * symlink, a file or a FIFO is not listed), at most MAX_NAMES of them.
 */
import { readdir } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { fail } from '../../shared/contract'

export const MAX_NAMES = 100

export interface FolderList {
  /** the folder whose sub-folders these are */
  parent: string
  names: string[]
  /** there were more than MAX_NAMES */
  more: boolean
  /** the folder typed is not there (or is not a folder) */
  missing?: true
}

export async function listFolders(typed: string): Promise<FolderList> {
  const path = typed
  if (!isAbsolute(path)) throw fail(`type an absolute path (starting with /): ${typed}`, 'invalid')
  const cut = path.lastIndexOf('/')
  const parent = resolve(path.slice(0, cut + 1) || '/')
  const start = path.slice(cut + 1)
  // a folder that cannot be listed is shown as missing (what the person typed is not there to complete)
  const entries = await readdir(parent, { withFileTypes: true }).catch(() => null)
  if (!entries) return { parent, names: [], more: false, missing: true }
  const names = entries
    .filter((e) => e.isDirectory() && e.name.startsWith(start) && (start.startsWith('.') || !e.name.startsWith('.')))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b))
  return { parent, names: names.slice(0, MAX_NAMES), more: names.length > MAX_NAMES }
}
