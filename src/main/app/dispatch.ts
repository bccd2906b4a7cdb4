/**
 * Transport-neutral request handling shared by the Electron IPC wiring and the web bridge:
 * validate the name and the payload against the contract, run the handler, and turn any failure
 * into one clear line. Never throws.
 */
import {
  fail,
  isErrorCode,
  isRequestName,
  requests,
  type ErrorCode,
  type Handlers,
  type EventSink,
  type Reply
} from '../../shared/contract'
import { errorFields, type Log } from '../log/log'

export type { Handlers }

/** An error a handler throws for the user (defined with the codes in the contract). */
export { fail }
export type { Reply }

/** The code a failure travels with: its own when it is one of ours, `cancelled` for an abort, else `internal` (never a raw ENOENT). */
export function codeOf(err: unknown): ErrorCode {
  const e = err as { code?: unknown; name?: unknown } | null
  if (isErrorCode(e?.code)) return e.code
  if (e?.name === 'AbortError') return 'cancelled'
  return 'internal'
}

export type { EventSink }

export async function dispatch(handlers: Handlers, name: unknown, input: unknown): Promise<Reply> {
  if (!isRequestName(name)) return { ok: false, error: `unknown request: ${String(name).slice(0, 80)}`, code: 'not-found' }
  const parsed = requests[name].input.safeParse(input ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
    return { ok: false, error: `invalid input for ${name}${where}: ${issue?.message ?? 'rejected'}`, code: 'invalid' }
  }
  try {
    const handler = handlers[name] as (i: unknown) => Promise<unknown>
    return { ok: true, value: await handler(parsed.data) }
  } catch (err) {
    return { ok: false, error: (err as Error)?.message || String(err), code: codeOf(err) }
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

/** The same handlers; a request that fails with `internal` (a bug, not the user's input) is logged with its stack. */
export function logFailures(handlers: Handlers, log: Log): Handlers {
  const out = {} as Record<string, (input: unknown) => Promise<unknown>>
  for (const [name, h] of Object.entries(handlers) as [string, (input: unknown) => Promise<unknown>][])
    out[name] = async (input) => {
      try {
        return await h(input)
      } catch (err) {
        if (codeOf(err) === 'internal') log.error({ request: name, error: errorFields(err) }, 'a request failed')
        throw err
      }
    }
  return out as unknown as Handlers
}
