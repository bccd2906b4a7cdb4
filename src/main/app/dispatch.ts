/**
 * Transport-neutral request handling shared by the Electron IPC wiring and the web bridge:
 * validate the name and the payload against the contract, run the handler, and turn any failure
 * into one clear line. Never throws.
 */
import type { z } from 'zod'
import { isRequestName, requests, type EventName, type EventPayload, type RequestName, type RequestOutput, type Requests } from '../../shared/contract'

export type Handlers = {
  [N in RequestName]: (input: z.infer<Requests[N]['input']>) => Promise<RequestOutput<N>>
}

/** An error a handler throws for the user: its message is shown as is, its code travels with it. */
export const fail = (message: string, code = 'not-found') => Object.assign(new Error(message), { code })

export type Reply = { ok: true; value: unknown } | { ok: false; error: string; code?: string }

export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void

export async function dispatch(handlers: Handlers, name: unknown, input: unknown): Promise<Reply> {
  if (!isRequestName(name)) return { ok: false, error: `unknown request: ${String(name).slice(0, 80)}`, code: 'unknown-request' }
  const parsed = requests[name].input.safeParse(input ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
    return { ok: false, error: `invalid input for ${name}${where}: ${issue?.message ?? 'rejected'}`, code: 'invalid-input' }
  }
  try {
    const handler = handlers[name] as (i: unknown) => Promise<unknown>
    return { ok: true, value: await handler(parsed.data) }
  } catch (err) {
    const e = err as Error & { code?: string }
    return { ok: false, error: e?.message || String(err), code: typeof e?.code === 'string' ? e.code : undefined }
  }
}

/** A small fan-out for pushed events: the Electron shell and the web bridge each subscribe. */
export function createEventHub() {
  const sinks = new Set<EventSink>()
  const emit: EventSink = (event, payload) => {
    for (const sink of sinks) {
      try {
        sink(event, payload)
      } catch {
        /* a broken sink must not stop the others */
      }
    }
  }
  return {
    emit,
    subscribe(sink: EventSink) {
      sinks.add(sink)
      return () => void sinks.delete(sink)
    }
  }
}
export type EventHub = ReturnType<typeof createEventHub>
