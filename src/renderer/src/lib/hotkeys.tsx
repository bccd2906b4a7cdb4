/**
 * The one hotkey registry. Every shortcut of every view is declared here (keys, what it does, where),
 * bound with `useShortcut(id, handler)` (react-hotkeys-hook underneath), and the help (`?`) lists what
 * is bound at that moment from react-hotkeys-hook's own registry, and every other view's keys from
 * this table: the help cannot drift from what the keys do.
 *
 * Rules shared by all: a shortcut does not fire while text is typed in a field (a ticked checkbox or a
 * pressed radio button takes no text, so keys still work there) unless it is meant for fields
 * (`inFields`); while the help is open, only its own keys work.
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react'
import { HotkeysProvider, useHotkeys } from 'react-hotkeys-hook'

export type Group = 'app' | 'help' | 'sessions' | 'trace' | 'variations' | 'deck' | 'composer' | 'verify' | 'triggers'

export const GROUP_TITLES: Record<Group, string> = {
  app: 'Everywhere',
  help: 'This help',
  sessions: 'Session list',
  trace: 'Trace',
  variations: 'Task variations',
  deck: 'Review deck',
  composer: 'Skill composer',
  verify: 'Verify a skill',
  triggers: 'Triggers of a skill'
}

interface ShortcutDef {
  /** react-hotkeys-hook keys, alternatives separated by commas (matched on the key produced) */
  keys: string
  what: string
  group: Group
  /** also while a text field (or the SKILL.md editor) has focus */
  inFields?: boolean
  /** also while the help is open */
  modal?: boolean
  /** a character typed with Shift on some layouts (`?`, `/`): Shift may be held (Ctrl, Alt and Cmd may not) */
  anyModifiers?: boolean
}

export const SHORTCUTS = {
  'app.help': { keys: '?', what: 'show or hide the keys', group: 'app', modal: true, anyModifiers: true },
  'help.close': { keys: 'escape', what: 'close this help', group: 'help', modal: true },
  'sessions.search': { keys: '/', what: 'search all session text', group: 'sessions', anyModifiers: true },
  'sessions.clear': { keys: 'escape', what: 'clear the search (in the search field)', group: 'sessions', inFields: true },
  'sessions.move': { keys: 'arrowdown, arrowup', what: 'move through the sessions', group: 'sessions' },
  'sessions.open': { keys: 'enter', what: 'open the highlighted session', group: 'sessions' },
  'sessions.pick': { keys: 'x', what: 'tick the highlighted session (to add to a batch)', group: 'sessions' },
  'trace.next-error': { keys: 'e', what: 'jump to the next error', group: 'trace' },
  'trace.back': { keys: 'backspace', what: 'back to the session list', group: 'trace' },
  'variations.undo': {
    keys: 'ctrl+z, meta+z',
    what: 'undo the last delete, regenerate or replace of variations (its Undo toast); in a text field it undoes the typing',
    group: 'variations'
  },
  'deck.grade': { keys: 'g, b', what: 'good / bad, then type the sentence', group: 'deck' },
  'deck.enter': {
    keys: 'enter',
    what: "in the sentence: save it and go to the next ungraded run; on a run the grader pre-graded: confirm the grader's grade (it becomes yours) and go on; elsewhere: type the sentence",
    group: 'deck',
    inFields: true
  },
  'deck.flip': {
    keys: 'f',
    what: 'on a run the grader pre-graded: flip its grade (yours, without its sentence), then type why',
    group: 'deck'
  },
  'deck.leave': { keys: 'escape', what: 'leave the sentence', group: 'deck', inFields: true },
  'deck.move': { keys: 'j, k, arrowright, arrowleft', what: 'next / previous run', group: 'deck' },
  'deck.view': { keys: 'd, m', what: 'desktop / mobile screenshots', group: 'deck' },
  'deck.compare': { keys: 'c', what: 'compare with a run graded the other way', group: 'deck' },
  'deck.undo': {
    keys: 'ctrl+z, meta+z',
    what: 'undo the last grade or sentence change (outside the sentence: there it undoes typing)',
    group: 'deck'
  },
  'deck.redo': { keys: 'ctrl+shift+z, meta+shift+z, ctrl+y', what: 'redo', group: 'deck' },
  'composer.save': { keys: 'ctrl+s, meta+s', what: 'save a version (only when something changed)', group: 'composer', inFields: true },
  'composer.undo': { keys: 'ctrl+z, meta+z', what: 'undo an edit of the cards or the text (outside text fields)', group: 'composer' },
  'composer.redo': { keys: 'ctrl+shift+z, meta+shift+z, ctrl+y, meta+y', what: 'redo', group: 'composer' },
  'verify.start': { keys: 'ctrl+enter, meta+enter', what: 'start the verification (its setup page)', group: 'verify', inFields: true },
  'verify.grade': { keys: 'g', what: 'grade its runs blind, in the review deck (a verification page)', group: 'verify' },
  'triggers.save': { keys: 'ctrl+s, meta+s', what: 'save the query set (only when something changed)', group: 'triggers', inFields: true },
  'triggers.undo': {
    keys: 'ctrl+z, meta+z',
    what: 'undo the last change to the query set (outside text fields: there it undoes the typing)',
    group: 'triggers'
  },
  'triggers.measure': {
    keys: 'ctrl+enter, meta+enter',
    what: 'measure the description (the saved set); in the new query box: add the query',
    group: 'triggers'
  }
} as const satisfies Record<string, ShortcutDef>

export type ShortcutId = keyof typeof SHORTCUTS

const NAMES: Record<string, string> = {
  escape: 'Esc',
  enter: 'Enter',
  backspace: 'Backspace',
  arrowdown: '↓',
  arrowup: '↑',
  arrowright: '→',
  arrowleft: '←',
  ctrl: 'Ctrl',
  shift: 'Shift',
  alt: 'Alt',
  meta: 'Cmd'
}

/** How one key (as react-hotkeys-hook names it: `ctrl+shift+z`) is shown: `Ctrl+Shift+Z`. */
export function keyLabel(hotkey: string): string {
  const parts = hotkey.trim().toLowerCase().split('+')
  const mods = parts.length > 1
  return parts.map((p) => NAMES[p] ?? (mods && p.length === 1 ? p.toUpperCase() : p)).join('+')
}

/** The keys of a shortcut as shown in the help. */
export const keyLabels = (id: ShortcutId): string[] => SHORTCUTS[id].keys.split(',').map(keyLabel)

/** Is the event from a text field (so single-key shortcuts must not fire)? */
export const typing = (e: KeyboardEvent) => {
  const t = e.target as HTMLElement | null
  if (!t || !t.tagName) return false
  // a ticked checkbox or a pressed radio keeps focus but takes no text
  if (t.tagName === 'INPUT' && ['checkbox', 'radio', 'button', 'submit', 'range'].includes((t as HTMLInputElement).type)) return false
  return t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable
}

interface HelpState {
  open: boolean
  show: () => void
  close: () => void
  toggle: () => void
  /** read at the moment a key is pressed (not from a render that may not have happened yet) */
  isOpen: () => boolean
}

const HelpContext = createContext<HelpState | null>(null)

/** The keys help's open state, for the `?` key, the buttons that open it and the registry. */
export function useHelp(): HelpState {
  const h = useContext(HelpContext)
  if (!h) throw new Error('useHelp outside <ShortcutsProvider>')
  return h
}

/** The registry (react-hotkeys-hook's provider) and the help's state. */
export function ShortcutsProvider({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false)
  const ref = useRef(false)
  const set = useCallback((v: boolean | ((o: boolean) => boolean)) => {
    const next = typeof v === 'function' ? v(ref.current) : v
    ref.current = next
    setOpen(next)
  }, [])
  const value = useMemo<HelpState>(
    () => ({ open, show: () => set(true), close: () => set(false), toggle: () => set((o) => !o), isOpen: () => ref.current }),
    [open, set]
  )
  return (
    <HotkeysProvider initiallyActiveScopes={['*']}>
      <HelpContext.Provider value={value}>{children}</HelpContext.Provider>
    </HotkeysProvider>
  )
}

/**
 * Bind a shortcut declared in SHORTCUTS. The handler always sees the latest render (no stale state);
 * `enabled: false` unbinds it (and takes it out of the help).
 */
export function useShortcut(id: ShortcutId, handler: (e: KeyboardEvent) => void, opts: { enabled?: boolean } = {}): void {
  const def: ShortcutDef = SHORTCUTS[id]
  const help = useContext(HelpContext)
  const latest = useRef(handler)
  latest.current = handler
  const helpOpen = useRef(help?.isOpen)
  helpOpen.current = help?.isOpen
  useHotkeys(def.keys, (e) => latest.current(e), {
    enabled: opts.enabled ?? true,
    // keys are matched on the character they produce (any layout), in fields too; ignoreEventWhen decides
    useKey: true,
    enableOnFormTags: true,
    enableOnContentEditable: true,
    ignoreModifiers: def.anyModifiers ?? false,
    ignoreEventWhen: (e) =>
      e.isComposing ||
      (!def.modal && !!helpOpen.current?.()) ||
      (!def.inFields && typing(e)) ||
      (!!def.anyModifiers && (e.ctrlKey || e.metaKey || e.altKey)),
    description: def.what,
    metadata: { id }
  })
}
