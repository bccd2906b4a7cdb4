/**
 * Images stay in their session file (lines of tens of MB); the viewer asks for one when it shows it.
 */
import type { ImageRef } from '../../shared/trace'
import { imageBlocks } from './records'
import { openRegular } from '../base/safe-file'

const ALLOWED = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp'])
const MAX_LINE = 512 * 1024 * 1024

export async function readImage(ref: ImageRef): Promise<{ mediaType: string; data: string }> {
  if (ref.length <= 0 || ref.length > MAX_LINE || ref.offset < 0) throw new Error('bad image reference')
  // a regular file only: a FIFO or a device under a session's name is never read (or waited on)
  const { fh } = await openRegular(ref.file)
  let text: string
  try {
    const buf = Buffer.alloc(ref.length)
    const { bytesRead } = await fh.read(buf, 0, ref.length, ref.offset)
    if (bytesRead !== ref.length) throw new Error('the session file changed: image not found')
    text = buf.toString('utf8')
  } finally {
    await fh.close()
  }
  let rec: unknown
  try {
    rec = JSON.parse(text)
  } catch {
    throw new Error('the session file changed: image not found')
  }
  const block = imageBlocks(rec)[ref.index]
  if (!block) throw new Error('image not found in its line')
  const mediaType = String(block.source.media_type)
  if (!ALLOWED.has(mediaType)) throw new Error(`refused: ${mediaType} is not an image type the viewer shows`)
  const data = String(block.source.data)
  if (!/^[A-Za-z0-9+/=\s]*$/.test(data.slice(0, 4096))) throw new Error('image data is not base64')
  return { mediaType, data }
}
