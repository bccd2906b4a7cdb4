/**
 * A CodeMirror 6 editor for markdown (the SKILL.md text): syntax colours, its own undo for typing
 * (Ctrl+Z inside it), soft-wrapped lines. Controlled: `value` in, `onChange` out; a value changed from
 * outside (the cards, the composer's undo, Rebuild from cards) replaces only what differs, so the
 * cursor stays where it was when it can.
 */
import { useEffect, useRef } from 'react'
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { markdown } from '@codemirror/lang-markdown'
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { Annotation, EditorState, Transaction } from '@codemirror/state'
import { EditorView, keymap, placeholder as placeholderExt } from '@codemirror/view'

/** Marks a change that came from `value`, so it is not reported back through onChange. */
const fromProps = Annotation.define<boolean>()

/** The smallest replacement that turns `a` into `b` (common start and end kept). */
export function minimalChange(a: string, b: string): { from: number; to: number; insert: string } | null {
  if (a === b) return null
  let start = 0
  const max = Math.min(a.length, b.length)
  while (start < max && a.charCodeAt(start) === b.charCodeAt(start)) start++
  let end = 0
  while (end < max - start && a.charCodeAt(a.length - 1 - end) === b.charCodeAt(b.length - 1 - end)) end++
  return { from: start, to: a.length - end, insert: b.slice(start, b.length - end) }
}

export function MarkdownEditor({
  value,
  onChange,
  label,
  testId,
  placeholder,
  plain = false
}: {
  value: string
  onChange: (text: string) => void
  label: string
  testId?: string
  placeholder?: string
  /** plain text (a script): no markdown colours */
  plain?: boolean
}) {
  const host = useRef<HTMLDivElement>(null)
  const view = useRef<EditorView | null>(null)
  const changed = useRef(onChange)
  changed.current = onChange

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          plain ? [] : markdown(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          EditorView.lineWrapping,
          placeholder ? placeholderExt(placeholder) : [],
          EditorView.contentAttributes.of({
            'aria-label': label,
            'aria-multiline': 'true',
            spellcheck: 'false',
            ...(testId ? { 'data-testid': testId } : {})
          }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged && !u.transactions.some((t) => t.annotation(fromProps))) changed.current(u.state.doc.toString())
          })
        ]
      })
    })
    view.current = v
    return () => {
      v.destroy()
      view.current = null
    }
    // the editor is made once; `value` is followed below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  useEffect(() => {
    const v = view.current
    if (!v) return
    const change = minimalChange(v.state.doc.toString(), value)
    // not in the editor's own history: the composer's Undo is the one that takes such changes back
    if (change) v.dispatch({ changes: change, annotations: [fromProps.of(true), Transaction.addToHistory.of(false)] })
  }, [value])

  return <div className="md-editor" ref={host} />
}
