/**
 * The one helper that follows long work the CLI started: Ctrl+C cancels the work, and a cancel that
 * fails (the app gone, the work unknown) is said on stderr, not hidden: the work may still be going.
 */
import { describe, expect, it } from 'vitest'
import type { Client } from '../../src/main/cli/client'
import type { CliIo } from '../../src/main/cli/common'
import { follow } from '../../src/main/cli/follow'

function setup(cancel: (id: string) => Promise<unknown>) {
  const err: string[] = []
  let stop = () => {}
  let end = () => {}
  const io: CliIo = { out: () => {}, err: (t) => err.push(t), env: {}, untilStopped: new Promise<void>((ok) => (stop = ok)) }
  const client = { on: () => () => {}, ready: async () => {} } as unknown as Client
  const cancelled: string[] = []
  const done = follow({
    io,
    client,
    onEvent: () => {},
    start: async () => 'work-1',
    cancel: (id) => {
      cancelled.push(id)
      return cancel(id).finally(() => end())
    },
    cancelling: (id) => `cancelling ${id}`,
    ended: () => new Promise<void>((ok) => (end = ok))
  })
  return { err, stop: () => stop(), done, cancelled }
}

describe('follow', () => {
  it('cancels the work at Ctrl+C', async () => {
    const f = setup(async () => ({ cancelled: true }))
    await new Promise((r) => setImmediate(r))
    f.stop()
    expect(await f.done).toBe('work-1')
    expect(f.cancelled).toEqual(['work-1'])
    expect(f.err).toEqual(['cancelling work-1'])
  })

  it('says when the cancel fails, in one line', async () => {
    const f = setup(async () => {
      throw new Error('the app (the desktop app, pid 7) does not answer: ECONNREFUSED\nstack')
    })
    await new Promise((r) => setImmediate(r))
    f.stop()
    await f.done
    await new Promise((r) => setImmediate(r))
    expect(f.err).toEqual([
      'cancelling work-1',
      'warning: could not cancel work-1: the app (the desktop app, pid 7) does not answer: ECONNREFUSED'
    ])
  })
})
