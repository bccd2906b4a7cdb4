/**
 * The keys help (`?`): a modal over a backdrop. A click on the backdrop, the Close button, Esc or `?`
 * closes it; focus goes into it when it opens (Tab stays inside) and back where it was when it closes.
 * While it is open, keys do not reach the page behind it.
 */
import { useEffect, useRef } from 'react'

export type Keys = [key: string, what: string][]

export const APP_KEYS: Keys = [
  ['?', 'show or hide this help'],
  ['/', 'search all session text (session list)'],
  ['↑ ↓', 'move through sessions'],
  ['Enter', 'open the selected session'],
  ['Esc', 'clear the search, close this help'],
  ['e', 'jump to the next error (trace)'],
  ['Backspace', 'back to the session list (trace)'],
  ['g / b', 'grade good / bad, then type the sentence (review deck)'],
  ['Enter', 'save the sentence, go to the next ungraded run (review deck)'],
  ['j / k', 'next / previous run (review deck)'],
  ['d / m', 'desktop / mobile screenshots (review deck)'],
  ['c', 'compare with a run graded the other way (review deck)'],
  ['Ctrl+Z', 'undo the last grade or sentence (review deck, composer)'],
  ['Ctrl+Shift+Z', 'redo (review deck, composer)']
]

export const DECK_KEYS: Keys = [
  ['g / b', 'good / bad (then type the sentence)'],
  ['Enter', 'save and go to the next ungraded run'],
  ['Esc', 'leave the sentence'],
  ['j / k (→ / ←)', 'next / previous run'],
  ['d / m', 'desktop / mobile screenshots'],
  ['c', 'compare with a run graded the other way'],
  ['Ctrl+Z', 'undo the last grade or sentence change (outside the sentence field)'],
  ['Ctrl+Shift+Z', 'redo'],
  ['?', 'this help']
]

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

export function Help({ onClose, title = 'Keyboard shortcuts', keys = APP_KEYS }: { onClose: () => void; title?: string; keys?: Keys }) {
  const box = useRef<HTMLDivElement>(null)
  const close = useRef<HTMLButtonElement>(null)
  const onCloseRef = useRef(onClose)
  onCloseRef.current = onClose

  // focus in, and back where it was
  useEffect(() => {
    const back = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null
    close.current?.focus()
    return () => {
      if (back?.isConnected) back.focus()
    }
  }, [])

  // Keys first (capture, on window): Esc and ? close, Tab stays inside, nothing reaches the page behind.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      e.stopPropagation()
      if (e.key === 'Escape' || e.key === '?') {
        e.preventDefault()
        onCloseRef.current()
      } else if (e.key === 'Tab' && box.current) {
        const items = [...box.current.querySelectorAll<HTMLElement>(FOCUSABLE)]
        if (!items.length) return e.preventDefault()
        const i = items.indexOf(document.activeElement as HTMLElement)
        const next = e.shiftKey ? (i <= 0 ? items.length - 1 : i - 1) : i === -1 || i === items.length - 1 ? 0 : i + 1
        e.preventDefault()
        items[next].focus()
      }
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [])

  return (
    <div className="overlay help-backdrop" data-testid="help-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div className="help" role="dialog" aria-modal="true" aria-label={title} ref={box}>
        <div className="help-head">
          <h2>{title}</h2>
          <button ref={close} onClick={onClose} aria-label="Close">
            Close <kbd>Esc</kbd>
          </button>
        </div>
        <table>
          <tbody>
            {keys.map(([k, d]) => (
              <tr key={k + d}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{d}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}
