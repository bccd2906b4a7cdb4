/**
 * Credentials found in text and redacted: what a run may have read (`~/.ssh`, `~/.aws/credentials`,
 * Claude Code's `.credentials.json`, the environment) is taken out before any model reads it, and before
 * a screen shows a run's final answer. Patterns of the well-known kinds (private key blocks, AWS key ids
 * and secret keys, Anthropic, OpenAI, GitHub, Slack, Google, npm, Stripe, GitLab and Hugging Face tokens,
 * JWTs, OAuth tokens in JSON, `Authorization: Bearer`, a password in a URL), assignments like
 * `password=`/`secret=`/`token=` whose value looks like a secret (letters and digits, or long and
 * random), and the literal values of the app's own secret environment variables. A value is replaced by
 * `[REDACTED:<kind>]`; the name before it is kept. Pure, no Node or DOM: main, the renderer and the CLI
 * use the same. It never changes what is stored: callers redact a copy.
 */

export interface SecretHit {
  kind: string
  start: number
  end: number
}

export interface RedactOptions {
  /** exact values to take out wherever they appear (secretLiterals of the app's environment) */
  literals?: readonly string[]
}

export interface Redacted<T = string> {
  text: T
  /** how many secrets were taken out */
  count: number
}

/** The marker that takes a secret's place. */
export const redactionMark = (kind: string) => `[REDACTED:${kind}]`

/** Shannon entropy of a string, in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>()
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1)
  let h = 0
  for (const n of counts.values()) {
    const p = n / s.length
    h -= p * Math.log2(p)
  }
  return h
}

/**
 * Whether the value of an assignment (`token=...`) looks like a real secret rather than a placeholder,
 * a variable, code or a word: letters and digits mixed, or long and random.
 */
export function looksSecret(v: string): boolean {
  if (v.length < 8) return false
  if (/^[$%<{[(]/.test(v) || /\$\{|process\.env|os\.environ|getenv|env\(|import\.meta/i.test(v)) return false
  // code: a dotted path of identifiers or a call (`config.auth.token`, `getToken()`)
  if (/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?:\(\)?)?$/.test(v) && !/\d/.test(v)) return false
  if (/^(?:your|my|example|changeme|placeholder|redacted|none|null|undefined|true|false|xxx|\*\*\*)/i.test(v)) return false
  if (/^(.)\1+$/.test(v)) return false
  const letters = /[A-Za-z]/.test(v)
  const digits = /\d/.test(v)
  if (letters && digits) return entropy(v) >= 2.5
  return v.length >= 16 && entropy(v) >= 3.5
}

interface Pattern {
  kind: string
  re: RegExp
  /** the capture group that is the secret (default: the whole match) */
  group?: number
  /** a further check of the secret */
  check?: (secret: string) => boolean
  /** the kind, from the match (an assignment's name) */
  kindOf?: (m: RegExpExecArray) => string
}

const kindByName = (name: string) =>
  /pass|pwd/i.test(name) ? 'password' : /token/i.test(name) ? 'token' : /key/i.test(name) ? 'key' : 'secret'

/** In priority order: where two overlap, the first one's kind names the union. */
const PATTERNS: Pattern[] = [
  { kind: 'aws-key-id', re: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b/g },
  {
    kind: 'aws-secret-key',
    re: /(?:aws_?secret_?access_?key|secret_?access_?key)(?:\\?["'])?\s*[:=]\s*(?:\\?["'])?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    group: 1
  },
  { kind: 'anthropic-key', re: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { kind: 'openai-key', re: /\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|\bsk-[A-Za-z0-9]{32,}\b/g },
  { kind: 'github-token', re: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{22,}/g },
  { kind: 'gitlab-token', re: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { kind: 'slack-token', re: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g },
  { kind: 'slack-webhook', re: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]{20,}/g },
  { kind: 'google-key', re: /\bAIza[0-9A-Za-z_-]{35}/g },
  { kind: 'google-oauth', re: /\bya29\.[0-9A-Za-z_-]{20,}|\bGOCSPX-[0-9A-Za-z_-]{20,}|\b1\/\/0[0-9A-Za-z_-]{30,}/g },
  { kind: 'npm-token', re: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: 'stripe-key', re: /\b[rs]k_live_[A-Za-z0-9]{20,}/g },
  { kind: 'huggingface-token', re: /\bhf_[A-Za-z0-9]{30,}\b/g },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g },
  {
    // "accessToken": "…" in JSON, also inside a JSON string (escaped quotes)
    kind: 'token',
    re: /(\\?")([A-Za-z0-9_]{0,40}?(?:access_?token|refresh_?token|id_?token|auth_?token|oauth_?token|client_?secret|api_?key|secret|password|passwd|token))\1\s*:\s*\\?"([^"\\\s]{8,})\\?"/gi,
    group: 3,
    check: looksSecret,
    kindOf: (m) => kindByName(m[2])
  },
  { kind: 'token', re: /\b(?:Bearer|Basic)\s+([A-Za-z0-9._~+/=-]{16,})/g, group: 1, check: looksSecret },
  { kind: 'password', re: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:@/"'\\]{1,100}:([^\s@/"'\\]{3,200})@/gi, group: 1 },
  {
    // name = value, name: value (env files, config, shell); the name is kept
    kind: 'secret',
    re: /(passwords?|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)[A-Za-z0-9_.-]{0,40}(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\?["'])?([^\s"'`,;\\]{8,})/gi,
    group: 2,
    check: looksSecret,
    kindOf: (m) => kindByName(m[1])
  }
]

const KEY_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/g

/** Private key blocks, whole; one whose END was cut off runs to the end of its base64 (newlines, escaped too). */
function keyBlocks(text: string): SecretHit[] {
  const out: SecretHit[] = []
  KEY_BEGIN.lastIndex = 0
  for (let m = KEY_BEGIN.exec(text); m; m = KEY_BEGIN.exec(text)) {
    const endMark = `-----END ${m[1]}-----`
    const at = text.indexOf(endMark, m.index + m[0].length)
    let end: number
    if (at >= 0 && at - m.index < 64_000) end = at + endMark.length
    else {
      const body = /^(?:\\[nr]|[\r\n]|[A-Za-z0-9+/=])*/.exec(text.slice(m.index + m[0].length, m.index + m[0].length + 64_000))
      end = m.index + m[0].length + (body?.[0].length ?? 0)
    }
    out.push({ kind: 'private-key', start: m.index, end })
    KEY_BEGIN.lastIndex = end
  }
  return out
}

/** Every secret in `text`, in order, overlaps joined (the first pattern's kind names the union). */
export function findSecrets(text: string, opts: RedactOptions = {}): SecretHit[] {
  if (text.length < 8) return []
  const hits: (SecretHit & { rank: number })[] = keyBlocks(text).map((h) => ({ ...h, rank: -1 }))
  PATTERNS.forEach((p, rank) => {
    p.re.lastIndex = 0
    for (let m = p.re.exec(text); m; m = p.re.exec(text)) {
      if (m[0].length === 0) {
        p.re.lastIndex++
        continue
      }
      const secret = p.group ? m[p.group] : m[0]
      if (secret === undefined || (p.check && !p.check(secret))) continue
      const start = p.group ? m.index + m[0].lastIndexOf(secret) : m.index
      hits.push({ kind: p.kindOf?.(m) ?? p.kind, start, end: start + secret.length, rank })
    }
  })
  for (const lit of opts.literals ?? []) {
    if (!lit) continue
    for (let at = text.indexOf(lit); at >= 0; at = text.indexOf(lit, at + lit.length))
      hits.push({ kind: 'secret-env', start: at, end: at + lit.length, rank: PATTERNS.length })
  }
  hits.sort((a, b) => a.start - b.start || b.end - a.end || a.rank - b.rank)
  const out: (SecretHit & { rank: number })[] = []
  for (const h of hits) {
    const last = out[out.length - 1]
    if (last && h.start < last.end) {
      last.end = Math.max(last.end, h.end)
      if (h.rank < last.rank) Object.assign(last, { kind: h.kind, rank: h.rank })
    } else out.push({ ...h })
  }
  return out.map(({ kind, start, end }) => ({ kind, start, end }))
}

/** `text` with every secret replaced by its mark, and how many there were. */
export function redactText(text: string, opts: RedactOptions = {}): Redacted {
  const hits = findSecrets(text, opts)
  if (!hits.length) return { text, count: 0 }
  let out = ''
  let at = 0
  for (const h of hits) {
    out += text.slice(at, h.start) + redactionMark(h.kind)
    at = h.end
  }
  return { text: out + text.slice(at), count: hits.length }
}

/**
 * Every string of a JSON-like value redacted (keys kept), as a copy; the original is never changed.
 * Parts with nothing to redact are shared with the original, not copied.
 */
export function redactDeep<T>(value: T, opts: RedactOptions = {}): { value: T; count: number } {
  let count = 0
  const seen = new WeakMap<object, unknown>()
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      const r = redactText(v, opts)
      count += r.count
      return r.count ? r.text : v
    }
    if (!v || typeof v !== 'object' || depth > 200) return v
    if (seen.has(v)) return seen.get(v)
    if (Array.isArray(v)) {
      let changed = false
      const out = v.map((x) => {
        const y = walk(x, depth + 1)
        if (y !== x) changed = true
        return y
      })
      const res = changed ? out : v
      seen.set(v, res)
      return res
    }
    let changed = false
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const y = walk(x, depth + 1)
      if (y !== x) changed = true
      out[k] = y
    }
    const res = changed ? Object.assign(Object.create(Object.getPrototypeOf(v) as object | null) as object, out) : v
    seen.set(v, res)
    return res
  }
  const out = walk(value, 0) as T
  return { value: out, count }
}

/** Names of environment variables that hold secrets. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE/i

/**
 * The values of an environment's secret variables (ANTHROPIC_API_KEY, *_TOKEN, *_SECRET...), to be
 * taken out wherever they appear: only values that look like secrets (not paths, not words like
 * `anything`), longest first.
 */
export function secretLiterals(env: Record<string, string | undefined>, extra: (string | undefined)[] = []): string[] {
  const out = new Set<string>()
  const take = (v: string | undefined) => {
    const s = v?.trim()
    if (!s || s.length < 8 || /^[~/.]|^[A-Za-z]:[\\/]/.test(s) || /\s/.test(s)) return
    const letters = /[A-Za-z]/.test(s)
    const digits = /\d/.test(s)
    if ((letters && digits) || s.length >= 16) out.add(s)
  }
  for (const [name, v] of Object.entries(env)) if (SECRET_NAME.test(name)) take(v)
  for (const v of extra) take(v)
  return [...out].sort((a, b) => b.length - a.length)
}

/** "3 secrets redacted in runs 3, 7" (nothing when none). */
export function describeRedactions(r: { count: number; runs: number[] } | undefined): string | null {
  if (!r?.count) return null
  return `${r.count} secret${r.count === 1 ? '' : 's'} redacted in run${r.runs.length === 1 ? '' : 's'} ${r.runs.join(', ')}`
}
