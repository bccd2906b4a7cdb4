/**
 * The renderer talks only to `window.api`, built here from the contract: in Electron over the preload's
 * IPC bridge (`window.t2s`), in a browser (web mode) over HTTP. Either way a failed request throws an
 * Error with the reply's `code` (one of ERROR_CODES), built in this world so the code is kept.
 *
 * The web mode's token is kept in memory and in sessionStorage (scoped to this origin, port included,
 * and to this tab; never sent anywhere by the browser), so a reload keeps working; it travels only in
 * the `x-trace2skill-token` header, which no other origin can make a browser send. It is taken out of
 * the address bar as soon as the page has read it. No cookie: cookies are not scoped by port.
 */
import { createApi, type Api, type EventName, type RequestName, type Transport } from '@shared/contract'
import { sseParser, withoutToken } from './lib/sse'
import { requestOverHttp, TOKEN_HEADER } from './lib/web-client'

declare global {
  interface Window {
    api: Api
    /** the preload's bridge, in Electron only */
    t2s?: Transport
  }
}

const KEY = 't2s-token'
const HEADER = TOKEN_HEADER

function takeToken(): string {
  const fromUrl = new URLSearchParams(location.search).get('token')
  let token = fromUrl ?? ''
  try {
    if (fromUrl) sessionStorage.setItem(KEY, fromUrl)
    else token = sessionStorage.getItem(KEY) ?? ''
  } catch {
    /* storage disabled: the token lives in memory only, a reload needs the printed URL again */
  }
  if (fromUrl !== null) history.replaceState(history.state, '', withoutToken(location.href))
  return token
}

/** Pushed events over a fetch-read stream (the header carries the token); reconnects with backoff. */
function eventStream(token: string, onEvent: (name: EventName, payload: unknown) => void): void {
  let delay = 500
  const connect = async () => {
    try {
      const res = await fetch('/api/events', { headers: { [HEADER]: token }, cache: 'no-store' })
      if (res.status === 401 || res.status === 403) return // a wrong token does not get better by retrying
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`)
      delay = 500
      const feed = sseParser((data) => {
        try {
          const { event, payload } = JSON.parse(data) as { event: EventName; payload: unknown }
          onEvent(event, payload)
        } catch {
          /* one bad message must not end the stream */
        }
      })
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        feed(value)
      }
    } catch {
      /* the server went away or restarted: try again */
    }
    setTimeout(() => void connect(), delay)
    delay = Math.min(delay * 2, 10_000)
  }
  void connect()
}

export function ensureApi(): Api {
  if (window.api) return window.api
  if (window.t2s) {
    const api = createApi(window.t2s)
    Object.defineProperty(window, 'api', { value: api, writable: false })
    return api
  }
  const token = takeToken()
  let streaming = false
  const listeners = new Map<EventName, Set<(p: unknown) => void>>()
  const api = createApi({
    request: (name: RequestName, input: unknown) => requestOverHttp(token, name, input),
    subscribe(event: EventName, listener: (payload: unknown) => void) {
      if (!streaming) {
        streaming = true
        eventStream(token, (name, payload) => listeners.get(name)?.forEach((l) => l(payload)))
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
