/**
 * Undo for changes that lose something, one mechanism for any page: after such a change,
 * `undo.offer({ what: 'Deleted variation 3', undo: () => put it back })` and render `undo.toast`. The
 * latest offer shows as a toast with an Undo button; Ctrl+Z (outside text fields, where it undoes the
 * typing) takes back the latest, then the one before it. Offers live as long as the page that made
 * them. The toast hides itself after a while; Ctrl+Z still works, and the keys help lists it while
 * there is something to undo. (A page with an undo history of its own, like the deck, adds to that.)
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react'
import { useShortcut, type ShortcutId } from './hotkeys'

export interface UndoOffer {
  /** what was done, as the toast says it: "Deleted variation 3" */
  what: string
  /** put it back (a rejection is shown in the toast, and the offer is kept) */
  undo: () => unknown
}

/** How long the toast stays on screen after an offer (Ctrl+Z works as long as the page is open). */
export const UNDO_TOAST_MS = 12_000
/** How many changes back Ctrl+Z reaches. */
const DEPTH = 20

/** `shortcut`: the page's Ctrl+Z in the hotkey registry (lib/hotkeys.tsx), so the keys help says where it works. */
export function useUndo(shortcut: ShortcutId): {
  offer: (o: UndoOffer) => void
  undoLast: () => void
  toast: ReactNode
  /** there is something to undo */
  canUndo: boolean
} {
  const [stack, setStack] = useState<UndoOffer[]>([])
  const [shown, setShown] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const latest = useRef(stack)
  latest.current = stack
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)

  const show = useCallback(() => {
    setShown(true)
    clearTimeout(timer.current)
    timer.current = setTimeout(() => setShown(false), UNDO_TOAST_MS)
  }, [])
  useEffect(() => () => clearTimeout(timer.current), [])

  const offer = useCallback(
    (o: UndoOffer) => {
      setStack((s) => [...s.slice(-(DEPTH - 1)), o])
      setError(null)
      show()
    },
    [show]
  )

  const undoLast = useCallback(() => {
    const top = latest.current[latest.current.length - 1]
    if (!top || busy) return
    setBusy(true)
    setError(null)
    void Promise.resolve()
      .then(() => top.undo())
      .then(
        () => {
          const rest = latest.current.filter((o) => o !== top)
          setStack(rest)
          if (rest.length) show()
          else setShown(false)
        },
        (e: Error) => {
          setError(`Could not undo: ${e.message}`)
          show()
        }
      )
      .finally(() => setBusy(false))
  }, [busy, show])

  const dismiss = () => {
    clearTimeout(timer.current)
    setShown(false)
  }

  useShortcut(
    shortcut,
    (e) => {
      e.preventDefault()
      undoLast()
    },
    { enabled: stack.length > 0 }
  )

  const top = stack[stack.length - 1]
  const toast =
    top && shown ? (
      <div className="toast" role="status" data-testid="undo-toast">
        <span>{error ?? top.what}</span>
        <button onClick={undoLast} disabled={busy}>
          Undo
        </button>
        <span className="muted small">Ctrl+Z</span>
        <button className="ghost" onClick={dismiss} aria-label="Dismiss" title="Hide (Ctrl+Z still undoes)">
          ✕
        </button>
      </div>
    ) : null
  return { offer, undoLast, toast, canUndo: stack.length > 0 }
}
