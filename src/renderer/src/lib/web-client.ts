/**
 * Web mode's requests: one POST per request to the web bridge (src/main/web/server.ts), answered as a
 * Reply whatever happens, so `createApi` throws the same error, with the same `code`, as in Electron.
 */
import { ERROR_CODES, type ErrorCode, type Reply, type RequestName } from '@shared/contract'

export const TOKEN_HEADER = 'x-trace2skill-token'

/** The code of a failed HTTP answer: the server's own, else one from the status (a proxy, a server gone). */
function codeFor(status: number, code: unknown): ErrorCode {
  if ((ERROR_CODES as readonly unknown[]).includes(code)) return code as ErrorCode
  if (status === 400 || status === 413 || status === 415) return 'invalid'
  if (status === 401 || status === 403) return 'forbidden'
  if (status === 404) return 'not-found'
  if (status === 409) return 'busy'
  return 'internal'
}

export async function requestOverHttp(
  token: string,
  name: RequestName,
  input: unknown,
  opts: { base?: string; fetch?: typeof fetch } = {}
): Promise<Reply> {
  const go = opts.fetch ?? fetch
  const headers = { 'content-type': 'application/json', [TOKEN_HEADER]: token }
  let res: Response
  try {
    res = await go(`${opts.base ?? ''}/api/${name}`, { method: 'POST', headers, body: JSON.stringify(input) })
  } catch (err) {
    return { ok: false, error: `trace2skill is not answering: ${(err as Error).message}`, code: 'internal' }
  }
  const body = (await res.json().catch(() => null)) as { value?: unknown; error?: unknown; code?: unknown } | null
  if (res.ok) return { ok: true, value: body?.value }
  const error = typeof body?.error === 'string' && body.error ? body.error : `${res.status} ${res.statusText}`
  return { ok: false, error, code: codeFor(res.status, body?.code) }
}
