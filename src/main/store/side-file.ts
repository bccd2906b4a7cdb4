/**
 * Side files beside the store (the session index cache): derived data, so one that cannot be read is
 * moved aside with a notice and treated as absent.
 */
import { readFile } from 'node:fs/promises'
import type { z } from 'zod'
import type { Notice } from '../../shared/contract'
import { kindOf, moveAside } from './document'

/** Read a JSON side file (cache); a corrupt one is moved aside with a notice and treated as absent. */
export async function readSideFile<T>(
  file: string,
  schema: z.ZodType<T>,
  what: string,
  notices: Notice[],
  readOnly = false
): Promise<T | null> {
  const kind = await kindOf(file)
  if (kind === 'none') return null
  if (kind !== 'file') {
    // a FIFO would hang the read; a folder cannot be one
    if (readOnly)
      notices.push({ level: 'warning', message: `The ${what} could not be read (${kind}); it was left alone.`, detail: `File: ${file}` })
    else notices.push(await moveAside(file, kind.startsWith('a ') ? `it is not a regular file but ${kind}` : kind, what))
    return null
  }
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    // gone since it was looked at, or not readable: derived data, made again
    return null
  }
  let reason = 'unexpected content'
  try {
    const parsed = schema.safeParse(JSON.parse(text))
    if (parsed.success) return parsed.data
  } catch (err) {
    reason = (err as Error).message.split('\n')[0]
  }
  if (readOnly)
    notices.push({ level: 'warning', message: `The ${what} could not be read (${reason}); it was left alone.`, detail: `File: ${file}` })
  else notices.push(await moveAside(file, reason, what))
  return null
}
