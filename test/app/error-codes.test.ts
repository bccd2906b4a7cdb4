/**
 * One closed set of error codes (ERROR_CODES in the contract). `fail` is typed with it, so the compiler
 * checks most throws; this also reads the code literals thrown any other way in main
 * (`Object.assign(new Error(..), { code: '..' })`, an error class's `code = '..'`, a local `fail`).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { codeOf, dispatch, type Handlers } from '../../src/main/app/dispatch'
import { ApiErrorSchema, apiFailure, AppError, ERROR_CODES, fail } from '../../src/shared/contract'

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []
  )

/** Error code literals in a source text (lower-case: Node's own ENOENT... are compared, never thrown, here). */
function thrownCodes(text: string): string[] {
  const found: string[] = []
  for (const re of [/\bcode(?::\s*|\s+=\s*)'([a-z][a-z-]*)'/g, /\bfail\((?:[^()]|\([^()]*\))*,\s*'([a-z][a-z-]*)'\)/g])
    for (const m of text.matchAll(re)) found.push(m[1])
  return found
}

describe('error codes', () => {
  it('finds code literals however they are thrown', () => {
    expect(thrownCodes("throw Object.assign(new Error(`x ${a}`), { code: 'not-found' })")).toEqual(['not-found'])
    expect(thrownCodes("class E extends Error {\n  readonly code = 'data-dir-busy'\n}")).toEqual(['data-dir-busy'])
    expect(thrownCodes("throw fail(`no such run: ${id(x)}`, 'invalid-input')")).toEqual(['invalid-input'])
    expect(thrownCodes("if (err.code === 'ENOENT') return")).toEqual([])
  })

  it('every code main throws is one of ERROR_CODES', () => {
    const src = join(__dirname, '../../src/main')
    const seen = new Map<string, string>()
    for (const file of files(src)) for (const code of thrownCodes(readFileSync(file, 'utf8'))) seen.set(code, file.slice(src.length + 1))
    expect(seen.size).toBeGreaterThan(5)
    const unknown = [...seen].filter(([code]) => !(ERROR_CODES as readonly string[]).includes(code))
    expect(unknown).toEqual([])
  })

  it('has no duplicates and the reply shape accepts only these codes', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length)
    expect(ApiErrorSchema.safeParse({ error: 'x', code: 'busy' }).success).toBe(true)
    expect(ApiErrorSchema.safeParse({ error: 'x', code: 'invalid-input' }).success).toBe(false)
  })

  it('dispatch answers with one of them, whatever was thrown', async () => {
    const throwing = (err: unknown) => ({ listProjects: async () => Promise.reject(err) }) as unknown as Handlers
    const reply = (err: unknown) => dispatch(throwing(err), 'listProjects', {})
    expect(await reply(fail('the analysis is still running', 'busy'))).toEqual({
      ok: false,
      error: 'the analysis is still running',
      code: 'busy'
    })
    expect(await reply(Object.assign(new Error('ENOENT: gone'), { code: 'ENOENT' }))).toEqual({
      ok: false,
      error: 'ENOENT: gone',
      code: 'internal'
    })
    expect(await reply(Object.assign(new Error('stop'), { name: 'AbortError' }))).toMatchObject({ code: 'cancelled' })
    expect(await reply('a string')).toEqual({ ok: false, error: 'a string', code: 'internal' })
    expect(await dispatch(throwing(null), 'listProjects', { extra: 1 })).toMatchObject({ ok: false, code: 'invalid' })
    expect(await dispatch(throwing(null), 'nope', {})).toMatchObject({ ok: false, code: 'not-found' })
    expect(codeOf(fail('x', 'busy'))).toBe('busy')
    // one error class of ours, its code required (a forgotten one no longer means "not found"), its cause kept
    const cause = new Error('EIO')
    const e = fail('could not save', 'internal', cause)
    expect(e).toBeInstanceOf(AppError)
    expect(e).toBeInstanceOf(Error)
    expect(e.cause).toBe(cause)
    // @ts-expect-error: the code is required
    fail('x')
  })

  it('a failed reply becomes an Error with its code, and only a known code', () => {
    const e = apiFailure({ error: 'no key', code: 'no-api-key' })
    expect(e).toBeInstanceOf(Error)
    expect([e.message, e.code]).toEqual(['no key', 'no-api-key'])
    expect(apiFailure({ error: 'odd', code: 'EWHAT' }).code).toBeUndefined()
    expect(apiFailure({}).message).toBe('the request failed')
  })
})
