/**
 * The Electron shell's IPC wiring, with `electron` mocked (Electron never runs on this machine).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const handlers = new Map<string, (e: unknown, input: unknown) => Promise<unknown>>()
vi.mock('electron', () => ({
  ipcMain: {
    handle: (ch: string, fn: (e: unknown, input: unknown) => Promise<unknown>) => handlers.set(ch, fn),
    removeHandler: (ch: string) => handlers.delete(ch)
  },
  app: {},
  session: {},
  shell: {}
}))

const { wireIpc } = await import('../../src/main/electron/ipc')
const { createEventHub } = await import('../../src/main/app/dispatch')
const { requestNames, channelOf } = await import('../../src/shared/contract')

const RENDERER = 'file:///app/out/renderer/index.html'

function fakeWindow() {
  const mainFrame = { url: RENDERER }
  const sent: [string, unknown][] = []
  const webContents = { mainFrame, send: (ch: string, p: unknown) => sent.push([ch, p]) }
  return { win: { webContents, isDestroyed: () => false }, mainFrame, webContents, sent }
}

describe('IPC wiring', () => {
  let w: ReturnType<typeof fakeWindow>
  let listed = 0
  const hub = createEventHub()
  let unwire = () => {}
  afterEach(() => unwire())
  beforeEach(() => {
    handlers.clear()
    listed = 0
    w = fakeWindow()
    const impl = {
      listProjects: async () => {
        listed++
        return []
      }
    }
    unwire = wireIpc(impl as never, hub, () => w.win as never, RENDERER)
  })

  it('registers one channel per contract request', () => {
    expect([...handlers.keys()].sort()).toEqual(requestNames.map(channelOf).sort())
  })

  it('answers our own main frame', async () => {
    const reply = await handlers.get('t2s:listProjects')!({ sender: w.webContents, senderFrame: w.mainFrame }, {})
    expect(reply).toEqual({ ok: true, value: [] })
    expect(listed).toBe(1)
  })

  it('refuses other frames, other webContents and foreign URLs before validating anything', async () => {
    const subframe = { url: RENDERER }
    const other = { mainFrame: { url: RENDERER } }
    const foreign = { ...w.mainFrame, url: 'https://evil.example/' }
    for (const e of [
      { sender: w.webContents, senderFrame: subframe },
      { sender: other, senderFrame: other.mainFrame },
      { sender: w.webContents, senderFrame: null }
    ]) {
      const reply = (await handlers.get('t2s:listProjects')!(e, {})) as { ok: boolean; code?: string }
      expect(reply.ok).toBe(false)
      expect(reply.code).toBe('forbidden')
    }
    w.mainFrame.url = foreign.url
    const reply = (await handlers.get('t2s:listProjects')!({ sender: w.webContents, senderFrame: w.mainFrame }, {})) as { ok: boolean }
    expect(reply.ok).toBe(false)
    expect(listed).toBe(0)
  })

  it('validates payloads against the contract', async () => {
    const reply = (await handlers.get('t2s:listSessions')!({ sender: w.webContents, senderFrame: w.mainFrame }, { projectId: 42 })) as {
      ok: boolean
      error: string
    }
    expect(reply.ok).toBe(false)
    expect(reply.error).toMatch(/invalid input for listSessions at projectId/)
  })

  it('pushes events to the window only', () => {
    hub.emit('projectsChanged', {})
    expect(w.sent).toEqual([['t2s:projectsChanged', {}]])
  })
})
