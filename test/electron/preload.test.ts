/**
 * The preload's bridge, with `electron` mocked: only contract channels pass, failures come back as
 * plain replies (what contextBridge copies whole), and `window.api` built over it throws with the code.
 */
import { describe, expect, it, vi } from 'vitest'

const exposed = new Map<string, unknown>()
const invoked: string[] = []
const listeners = new Map<string, (e: unknown, p: unknown) => void>()
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
  ipcRenderer: {
    invoke: async (channel: string, input: unknown) => {
      invoked.push(channel)
      // main's side, as electron/ipc.ts answers: dispatch over the handlers
      const { dispatch, fail } = await import('../../src/main/app/dispatch')
      const handlers = {
        listProjects: async () => [],
        startBatch: async () => {
          throw fail('the batch is still running', 'busy')
        }
      }
      return dispatch(handlers as never, channel.replace(/^t2s:/, ''), input)
    },
    on: (channel: string, l: (e: unknown, p: unknown) => void) => listeners.set(channel, l),
    removeListener: (channel: string) => listeners.delete(channel)
  }
}))

await import('../../src/preload/index')
const { createApi } = await import('../../src/shared/contract')
type Transport = import('../../src/shared/contract').Transport
type ApiFailure = import('../../src/shared/contract').ApiFailure

/** What contextBridge does to what crosses it: data is copied; of an Error, only the message. */
function overContextBridge(t: Transport): Transport {
  const copy = <T>(v: T): T => structuredClone(v)
  return {
    request: (name, input) =>
      t.request(name, copy(input)).then(copy, (e: Error) => {
        throw new Error(e.message)
      }),
    subscribe: (event, listener) => t.subscribe(event, listener)
  }
}

describe('the preload', () => {
  const bridge = exposed.get('t2s') as Transport

  it('exposes one bridge, never ipcRenderer', () => {
    expect([...exposed.keys()]).toEqual(['t2s'])
    expect(Object.keys(bridge).sort()).toEqual(['request', 'subscribe'])
  })

  it('answers a failure as a plain reply that keeps its code across the bridge', async () => {
    const reply = await overContextBridge(bridge).request('startBatch', { batchId: 'b' })
    expect(reply).toEqual({ ok: false, error: 'the batch is still running', code: 'busy' })
  })

  it('window.api over it throws an Error with the code', async () => {
    const api = createApi(overContextBridge(bridge))
    expect(await api.listProjects({})).toEqual([])
    const err = (await api.startBatch({ batchId: 'b' }).catch((e) => e)) as ApiFailure
    expect(err).toBeInstanceOf(Error)
    expect([err.message, err.code]).toEqual(['the batch is still running', 'busy'])
    expect(((await api.listProjects({ extra: 1 } as never).catch((e) => e)) as ApiFailure).code).toBe('invalid')
  })

  it('passes only contract requests and events', async () => {
    invoked.length = 0
    expect(await bridge.request('deleteEverything' as never, {})).toMatchObject({ ok: false, code: 'not-found' })
    expect(invoked).toEqual([])
    expect(() => bridge.subscribe('somethingElse' as never, () => {})).toThrow(/unknown event/)
    const got: unknown[] = []
    const off = bridge.subscribe('projectsChanged', (p) => got.push(p))
    listeners.get('t2s:projectsChanged')!({}, { x: 1 })
    expect(got).toEqual([{ x: 1 }])
    off()
    expect(listeners.has('t2s:projectsChanged')).toBe(false)
  })
})
