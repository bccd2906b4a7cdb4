import { useEffect, useState } from 'react'

/** `value`, once it has stopped changing for `ms` (what a check or a search should ask about). */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value)
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms)
    return () => clearTimeout(t)
  }, [value, ms])
  return v
}

/** While there are unsaved changes, closing or reloading the window asks first. */
export function useWarnBeforeLeaving(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return
    const leave = (e: BeforeUnloadEvent) => e.preventDefault()
    window.addEventListener('beforeunload', leave)
    return () => window.removeEventListener('beforeunload', leave)
  }, [dirty])
}
