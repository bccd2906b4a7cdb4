/**
 * The keys help (`?`): a modal over a backdrop, listing from the hotkey registry the keys bound on this
 * page at this moment, then every other view's keys (lib/hotkeys.tsx). A click on the backdrop, the
 * Close button, Esc or `?` closes it; focus goes into it when it opens (Tab stays inside) and back
 * where it was when it closes. While it is open, only its own keys work (lib/hotkeys.tsx).
 */
import { useEffect, useRef, type KeyboardEvent } from 'react'
import { useHotkeysContext } from 'react-hotkeys-hook'
import { GROUP_TITLES, keyLabels, SHORTCUTS, useHelp, useShortcut, type Group, type ShortcutId } from '../lib/hotkeys'

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

/** The ids of the shortcuts bound now, in the order of the table. */
export function useBoundShortcuts(): ShortcutId[] {
  const { hotkeys } = useHotkeysContext()
  const bound = new Set(hotkeys.map((h) => h.metadata?.id as ShortcutId | undefined))
  return (Object.keys(SHORTCUTS) as ShortcutId[]).filter((id) => bound.has(id))
}

/** The same two columns in every table of the sheet, so the keys and what they do line up across groups. */
function Columns() {
  return (
    <colgroup>
      <col className="help-keys-col" />
      <col />
    </colgroup>
  )
}

function Rows({ ids }: { ids: ShortcutId[] }) {
  return (
    <>
      {ids.map((id) => (
        <tr key={id} data-testid="help-key" data-shortcut={id}>
          <td>
            {keyLabels(id).map((k, i) => (
              <span key={k}>
                {i ? ' / ' : null}
                <kbd>{k}</kbd>
              </span>
            ))}
          </td>
          <td>{SHORTCUTS[id].what}</td>
        </tr>
      ))}
    </>
  )
}

export function Help() {
  const help = useHelp()
  const box = useRef<HTMLDivElement>(null)
  const close = useRef<HTMLButtonElement>(null)
  const bound = useBoundShortcuts()
  useShortcut('help.close', (e) => {
    e.preventDefault()
    help.close()
  })

  // focus in, and back where it was
  useEffect(() => {
    const back = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null
    close.current?.focus()
    return () => {
      if (back?.isConnected) back.focus()
    }
  }, [])

  // Tab stays inside
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Tab' || !box.current) return
    const items = [...box.current.querySelectorAll<HTMLElement>(FOCUSABLE)]
    e.preventDefault()
    if (!items.length) return
    const i = items.indexOf(document.activeElement as HTMLElement)
    const next = e.shiftKey ? (i <= 0 ? items.length - 1 : i - 1) : i === -1 || i === items.length - 1 ? 0 : i + 1
    items[next].focus()
  }

  const here = bound.filter((id) => SHORTCUTS[id].group !== 'help')
  const groupsHere = new Set<Group>(here.map((id) => SHORTCUTS[id].group))
  const elsewhere = (Object.keys(GROUP_TITLES) as Group[]).filter((g) => g !== 'help' && g !== 'app' && !groupsHere.has(g))
  const title = groupsHere.has('deck') ? 'Review keys' : 'Keyboard shortcuts'
  return (
    <div className="overlay help-backdrop" data-testid="help-backdrop" onClick={(e) => e.target === e.currentTarget && help.close()}>
      <div className="help" role="dialog" aria-modal="true" aria-label={title} ref={box} onKeyDown={onKeyDown}>
        <div className="help-head">
          <h2>{title}</h2>
          <button ref={close} onClick={help.close} aria-label="Close">
            Close <kbd>Esc</kbd>
          </button>
        </div>
        <table>
          <Columns />
          <tbody data-testid="help-here">
            <Rows ids={here} />
          </tbody>
        </table>
        {elsewhere.length ? (
          <table className="help-elsewhere">
            <Columns />
            {elsewhere.map((g) => (
              <tbody key={g}>
                <tr>
                  <th colSpan={2}>{GROUP_TITLES[g]}</th>
                </tr>
                <Rows ids={(Object.keys(SHORTCUTS) as ShortcutId[]).filter((id) => SHORTCUTS[id].group === g)} />
              </tbody>
            ))}
          </table>
        ) : null}
      </div>
    </div>
  )
}
