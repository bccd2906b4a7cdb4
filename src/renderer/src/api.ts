/**
 * The renderer talks only to `window.api`. In Electron the preload provides it; in a browser (web mode)
 * it is built here over HTTP + server-sent events against the same contract.
 */
import { createApi, type Api, type EventName, type RequestName } from '@shared/contract'

declare global {
  interface Window {
    api: Api
  }
}

export function ensureApi(): Api {
  if (window.api) return window.api
  const token = new URLSearchParams(location.search).get('token') ?? sessionStorage.getItem('t2s-token') ?? ''
  if (token) sessionStorage.setItem('t2s-token', token)
  const headers = { 'content-type': 'application/json', 'x-trace2skill-token': token }
  let source: EventSource | null = null
  const listeners = new Map<EventName, Set<(p: unknown) => void>>()
  const api = createApi({
    async invoke(name: RequestName, input: unknown) {
      const res = await fetch(`/api/${name}`, { method: 'POST', headers, body: JSON.stringify(input) })
      const body = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }))
      if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`)
      return body.value
    },
    subscribe(event: EventName, listener: (payload: unknown) => void) {
      if (!source) {
        source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`)
        source.onmessage = (m) => {
          const { event: name, payload } = JSON.parse(m.data) as { event: EventName; payload: unknown }
          listeners.get(name)?.forEach((l) => l(payload))
        }
      }
      const set = listeners.get(event) ?? new Set()
      set.add(listener)
      listeners.set(event, set)
      return () => void set.delete(listener)
    }
  })
  Object.defineProperty(window, 'api', { value: api, writable: false })
  return api
}

export const api = (): Api => window.api
