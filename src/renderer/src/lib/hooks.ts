import { useCallback, useEffect, useRef, useState } from 'react'

/** Run an async loader; re-run on `deps` or `reload()`. Keeps the last data while reloading. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true })
  const seq = useRef(0)
  const run = useCallback(() => {
    const mine = ++seq.current
    setState((s) => ({ ...s, loading: true, error: undefined }))
    load().then(
      (data) => mine === seq.current && setState({ data, loading: false }),
      (err: Error) => mine === seq.current && setState((s) => ({ ...s, error: err.message || String(err), loading: false }))
    )
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps)
  useEffect(run, [run])
  return { ...state, reload: run }
}

/** A %-escaped part of an address; a malformed escape is kept as typed instead of throwing. */
export function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}

/** The location hash as a route. */
export function useHashRoute(): string[] {
  const parse = () =>
    location.hash
      .replace(/^#\/?/, '')
      .split('/')
      .filter(Boolean)
      .map(safeDecode)
  const [route, setRoute] = useState(parse)
  useEffect(() => {
    const on = () => setRoute(parse())
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  return route
}

export const go = (...parts: string[]) => {
  location.hash = `#/${parts.map(encodeURIComponent).join('/')}`
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value)
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms)
    return () => clearTimeout(t)
  }, [value, ms])
  return v
}

/** Is the event from a text field (so single-key shortcuts must not fire)? */
export const typing = (e: KeyboardEvent) => {
  const t = e.target as HTMLElement | null
  if (!t) return false
  // a ticked checkbox or a pressed radio keeps focus but takes no text
  if (t.tagName === 'INPUT' && ['checkbox', 'radio', 'button', 'submit', 'range'].includes((t as HTMLInputElement).type)) return false
  return t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable
}
