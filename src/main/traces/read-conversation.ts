/**
 * Reading one conversation file line by line into a Conversation: lines that are not JSON, not an
 * object, nested too deep, too long or cut at the end are kept as malformed events and warnings.
 */
import { MAX_LINE_SHOWN, readJsonlLines } from './jsonl'
import { isObj, type Rec } from './records'
import { deepWarning, isDeeperThan, pruneDeep } from './untrusted'
import { Conversation, type LinePos } from './conversation'

export interface ReadConversation {
  main: Conversation
  /** old format: records with isSidechain true, in file order */
  sidechain: { rec: Rec; pos: LinePos }[]
  lines: number
  bytes: number
}

/** Read a conversation file; with `splitSidechain`, old-style sidechain records are set apart, not handled. */
export async function readConversation(file: string, splitSidechain: boolean): Promise<ReadConversation> {
  const conv = new Conversation(file)
  const sidechain: { rec: Rec; pos: LinePos }[] = []
  const handleLine = (buf: Buffer, offset: number, length: number, lineNo: number, fileOffset: number, tail: boolean) => {
    const text = buf.toString('utf8', offset, offset + length)
    const pos: LinePos = { file, lineNo, offset: fileOffset, length }
    let rec: unknown
    try {
      rec = JSON.parse(text)
    } catch (err) {
      if (tail) conv.warn(lineNo, 'truncated last line (session still being written?)')
      else conv.warn(lineNo, `not JSON: ${(err as Error).message.slice(0, 120)}`)
      conv.malformed(pos, text, tail ? 'truncated' : (err as Error).message.slice(0, 200))
      return
    }
    // Nesting deep enough to overflow recursive code downstream (JSON, structured clone, zod, React).
    if (isDeeperThan(buf, offset, length)) conv.warn(lineNo, deepWarning(pruneDeep(rec)))
    if (!isObj(rec)) {
      conv.warn(lineNo, 'line is JSON but not an object')
      conv.malformed(pos, text, 'not an object')
      return
    }
    if (splitSidechain && rec.isSidechain === true) sidechain.push({ rec, pos })
    else conv.handle(rec, pos)
  }
  // A line too long to read: a placeholder in its place, and a warning.
  const onLongLine = (lineNo: number, fileOffset: number, length: number, complete: boolean) => {
    conv.warn(lineNo, `line of ${length} bytes is longer than ${MAX_LINE_SHOWN}: not read${complete ? '' : ' (truncated last line?)'}`)
    conv.malformed(
      { file, lineNo, offset: fileOffset, length },
      `[a line of ${length} bytes, longer than ${MAX_LINE_SHOWN}: not read]`,
      'too long'
    )
  }
  const r = await readJsonlLines(file, {
    onLine: (buf, o, l, n, fo) => handleLine(buf, o, l, n, fo, false),
    onLongLine
  })
  if (r.error) conv.warn(0, `cannot read file: ${r.error}`)
  if (r.partialTail) {
    // Read the unterminated last line on its own (it may be a complete record without a newline).
    const { partialTail } = r
    await readJsonlLines(file, {
      start: partialTail.offset,
      firstLineNo: partialTail.lineNo,
      includePartialTail: true,
      onLine: (buf, o, l, n, fo) => handleLine(buf, o, l, n, fo, true)
    })
  }
  return { main: conv, sidechain, lines: r.lines + (r.partialTail || r.longTail ? 1 : 0), bytes: r.bytes }
}
