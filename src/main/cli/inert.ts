/**
 * Text from a run, a trace, a model or a file name, made inert before it reaches a terminal: a final
 * answer must not set the clipboard (OSC 52), clear the screen, retitle the window, reverse what
 * follows (a bidi override) or start a line of its own that reads like a grade. Every control
 * character (C0 but newline and tab, DEL, C1) becomes a visible sign, which also breaks every escape
 * sequence (CSI, OSC) it started; bidi overrides and isolates are shown as their code points. The
 * runCli entry passes everything it prints through `inert`; a value meant for one line goes through
 * `inline` where it is put into its line, and JSON through `jsonText`.
 */

/** C0 controls but \t and \n, DEL, C1; bidi embeddings, overrides and isolates. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

const sign = (c: string): string => {
  const code = c.charCodeAt(0)
  // C0 has its control pictures (ESC: ␛, CR: ␍); DEL too (␡)
  if (code < 0x20) return String.fromCharCode(0x2400 + code)
  if (code === 0x7f) return '\u2421'
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`
}

/** Text for the terminal: line breaks kept (a CRLF is one), everything else that could act shown instead. */
export function inert(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(UNSAFE, sign)
}

/** Every kind of line break and run of white space (tabs: columns are ours), as one space. */
const BREAKS = /[\s\u0085]+/g

/** A value meant for one line: on one line (optionally cut to `max` characters), and inert. */
export function inline(text: string, max?: number): string {
  const t = inert(text.replace(BREAKS, ' ').trim())
  return max !== undefined && t.length > max ? `${t.slice(0, max - 1)}…` : t
}

/** JSON text whose every character a terminal could act on is escaped (JSON.stringify leaves DEL, C1, bidi and U+2028/9 raw). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
}
