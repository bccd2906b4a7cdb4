/**
 * Small, Electron-free security guards with their own unit tests.
 */
export { isInside } from '../base/paths'

/** Host header values the web mode accepts: loopback names on our own port only. */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  if (!host) return false
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`
}

/** An Origin header, when present, must be our own loopback origin. */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}` || origin === `http://[::1]:${port}`
}

/**
 * `Sec-Fetch-Site`, when the browser sends it, must say the request came from our own page. Another
 * port on 127.0.0.1 is `same-site`, not `same-origin`, so it is refused. Absent (curl, old browsers):
 * the Origin check and the token header decide.
 */
export function isSameOriginFetch(site: string | string[] | undefined): boolean {
  return site === undefined || site === 'same-origin'
}

/** Constant-time comparison of tokens. */
export function sameToken(a: string | undefined | null, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
