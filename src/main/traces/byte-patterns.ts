/**
 * Reading a big JSONL line by structural byte patterns, without parsing it: a pattern such as
 * `"key":"` cannot occur inside a JSON string, where quotes are escaped.
 */

/** Count occurrences of an ASCII pattern in a buffer slice. */
export function count(line: Buffer, pattern: string): number {
  let n = 0
  let at = line.indexOf(pattern)
  while (at !== -1) {
    n++
    at = line.indexOf(pattern, at + pattern.length)
  }
  return n
}

/** The string value after a structural `"key":"` (first or last occurrence), unescaped enough for ids and dates. */
export function stringAfter(line: Buffer, key: string, last = false): string | undefined {
  const pattern = `"${key}":"`
  const at = last ? line.lastIndexOf(pattern) : line.indexOf(pattern)
  if (at === -1) return undefined
  const from = at + pattern.length
  const end = line.indexOf('"', from)
  if (end === -1 || end - from > 4096) return undefined
  return line.toString('utf8', from, end)
}

/** The balanced JSON object after a structural `"key":{` (strings inside respected). */
export function objectAfter(line: Buffer, key: string): unknown {
  const pattern = `"${key}":{`
  const at = line.lastIndexOf(pattern)
  if (at === -1) return undefined
  const from = at + pattern.length - 1
  let depth = 0
  let inString = false
  for (let i = from; i < line.length && i - from < 65536; i++) {
    const c = line[i]
    if (inString) {
      if (c === 92)
        i++ // backslash: skip the escaped char
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 123) depth++
    else if (c === 125 && --depth === 0) {
      try {
        return JSON.parse(line.toString('utf8', from, i + 1))
      } catch {
        // not JSON after all: no value, as for a key not there (the summary counts no usage from it)
        return undefined
      }
    }
  }
  return undefined
}
