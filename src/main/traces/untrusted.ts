/**
 * Guards for values read from session files, which are untrusted: nesting deep enough to overflow
 * recursive code (JSON.stringify, structured clone, zod, React), timestamps that are not dates,
 * strings too long to be what they claim, and `__proto__` keys. Nothing here recurses.
 */

/** Containers nested deeper than this (the line's record is level 1) are replaced by a placeholder. */
export const MAX_DEPTH = 100
export const DEEP_PLACEHOLDER = `[nested deeper than ${MAX_DEPTH} levels: omitted]`

/**
 * Does the JSON text in `buf[offset, offset + length)` nest containers deeper than `limit`? Brackets
 * inside strings do not count. O(length) and cheap: a line with at most `limit` opening brackets in
 * all cannot be deeper, which two native byte searches decide for almost every line; otherwise string
 * bodies are skipped by native searches for their closing quote.
 */
export function isDeeperThan(buf: Buffer, offset: number, length: number, limit = MAX_DEPTH): boolean {
  if (length <= 2 * limit) return false
  const line = buf.subarray(offset, offset + length)
  let openers = 0
  for (const byte of [123, 91]) {
    for (let at = line.indexOf(byte); at !== -1 && openers <= limit; at = line.indexOf(byte, at + 1)) openers++
  }
  if (openers <= limit) return false
  let depth = 0
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === 34) {
      // a string: find its closing quote (one not escaped by an odd run of backslashes)
      let j = i
      for (;;) {
        j = line.indexOf(34, j + 1)
        if (j === -1) return false // unterminated: not JSON, JSON.parse reports it
        let k = j - 1
        while (line[k] === 92) k--
        if ((j - 1 - k) % 2 === 0) break
      }
      i = j
    } else if (c === 123 || c === 91) {
      if (++depth > limit) return true
    } else if (c === 125 || c === 93) depth--
  }
  return false
}

/** The same check for a whole text (a `.meta.json` file). */
export const isTextDeeperThan = (text: Buffer, limit = MAX_DEPTH) => isDeeperThan(text, 0, text.length, limit)

const setOwn = (o: Record<string, unknown> | unknown[], k: string, v: unknown) => {
  // `o.__proto__ = v` would set the prototype: define the key as plain data instead.
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true })
  else (o as Record<string, unknown>)[k] = v
}

/**
 * Replace, in place, every object or array nested deeper than `limit` (the root is level 1) by
 * DEEP_PLACEHOLDER. Iterative. Returns how many values were replaced.
 */
export function pruneDeep(root: unknown, limit = MAX_DEPTH): number {
  if (!root || typeof root !== 'object') return 0
  let cut = 0
  const stack: [Record<string, unknown> | unknown[], number][] = [[root as Record<string, unknown>, 1]]
  while (stack.length) {
    const [node, level] = stack.pop()!
    const keys = Array.isArray(node) ? node.keys() : Object.keys(node)
    for (const key of keys) {
      const v = (node as Record<string, unknown>)[key as string]
      if (!v || typeof v !== 'object') continue
      if (level >= limit) {
        setOwn(node, String(key), DEEP_PLACEHOLDER)
        cut++
      } else stack.push([v as Record<string, unknown>, level + 1])
    }
  }
  return cut
}

export const deepWarning = (cut: number) => `nested deeper than ${MAX_DEPTH} levels: ${cut} value${cut === 1 ? '' : 's'} omitted`

/** Copy `value` into `out[key]` as data, whatever the key (`__proto__` included). */
export const assignOwn = setOwn

const MAX_TS = 64
/** A timestamp only when it is one: a short string that parses as a date. */
export function validTimestamp(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_TS) return undefined
  return Number.isFinite(Date.parse(v)) ? v : undefined
}

/** Session fields (cwd, version, branch, session id) longer than this are not what they claim. */
export const MAX_FIELD = 4096
/** Model names longer than this are not model names. */
export const MAX_MODEL = 200
/** Distinct models kept per conversation (the first ones seen): a file cannot grow the summary without bound. */
export const MAX_MODELS = 32

/** Add a model name to a conversation's set, up to MAX_MODELS names. */
export function addModel(models: Set<string>, model: string): void {
  if (models.size < MAX_MODELS) models.add(model)
}

/** A string field, when it is a string of plausible length. */
export const shortString = (v: unknown, max = MAX_FIELD): string | undefined => (typeof v === 'string' && v.length <= max ? v : undefined)
