/**
 * The shared prefix of a group of runs, identical for its four analysts (the prompt cache's part): the
 * head, then each run's text fenced with a random tag, and its screenshots made now as images (up to
 * the pool's concurrency at a time), within what one API request takes. Electron-free.
 */
import { readFile } from 'node:fs/promises'
import PQueue from 'p-queue'
import { errorFields, type Log } from '../log/log'
import type { Fitted } from './fit'
import type { ImagePool } from './image-pool'
import type { PreparedImage } from './images'
import type { PromptBlock } from './model'
import { fenceClose, fenceOpen } from './pipeline'

/** Bytes of the shared prefix at most (the API takes 32 MB a request; the rest is room for the rounds). */
const MAX_PREFIX_BYTES = 20 * 1024 * 1024

/** The shared prefix of a group: the head, then each run's text and its screenshots (made now, as images). */
export async function sharedBlocks(
  { images, log }: { images: ImagePool; log: Log },
  head: string,
  fitted: Fitted,
  tag: string,
  onShot?: () => void
): Promise<PromptBlock[]> {
  const blocks: PromptBlock[] = [{ type: 'text', text: head }]
  // the API takes requests up to 32 MB: the images stop short of a share of that, with room for the rounds
  let bytes = head.length + fitted.runs.reduce((n, r) => n + r.text.length, 0)
  // every screenshot of the group is prepared up to images.concurrency at a time, used in order
  const shots = fitted.runs.flatMap((r) => r.shots)
  const queue = new PQueue({ concurrency: Math.max(1, images.concurrency) })
  const prepared: Promise<PreparedImage>[] = shots.map((shot) =>
    queue.add(async () => {
      try {
        return await images.prepare(await readFile(shot.file), { maxTokens: shot.maxTokens })
      } finally {
        onShot?.()
      }
    })
  )
  await Promise.allSettled(prepared)
  let at = 0
  for (const r of fitted.runs) {
    // run content is data: fenced with a tag it cannot know, so it cannot close the fence itself
    const shots = r.shots.length
    blocks.push({ type: 'text', text: `${fenceOpen(r.number, tag)}\n${r.text}${shots ? '' : `\n${fenceClose(r.number, tag)}`}` })
    for (const [k, shot] of r.shots.entries()) {
      const close = k === shots - 1 ? `\n${fenceClose(r.number, tag)}` : ''
      try {
        const img = await prepared[at++]
        if (bytes + img.data.length > MAX_PREFIX_BYTES) {
          blocks.push({
            type: 'text',
            text: `${shot.note}: left out, the request would be too large (look at it with view_screenshot)${close}`
          })
          continue
        }
        bytes += img.data.length
        blocks.push({ type: 'image', mediaType: 'image/png', data: img.data, label: `${shot.note}:` })
        if (close) blocks.push({ type: 'text', text: close.trim() })
      } catch (err) {
        // the analysts are told, and the log keeps why (a broken file, a screenshot worker that stopped)
        log.warn({ run: r.number, error: errorFields(err) }, 'a screenshot could not be prepared for the analysts')
        blocks.push({ type: 'text', text: `${shot.note}: it could not be shown (${(err as Error).message})${close}` })
      }
    }
  }
  return blocks
}
