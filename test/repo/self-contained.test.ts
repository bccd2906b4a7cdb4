/**
 * A fresh clone anywhere passes its tests: no test, benchmark or script reaches outside the repository
 * (the project's reference folder beside it, `../shared`, is not there on other machines).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO } from '../support/claude-harness'

const ROOTS = ['test', 'e2e', 'bench', 'bin', 'scripts', '.ci', 'src/main']
const CODE = /\.(ts|tsx|mjs|cjs|js|sh)$|^run$/

function files(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'fixtures') continue
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...files(p))
    else if (CODE.test(e.name)) out.push(p)
  }
  return out
}

/** Ways a path can climb out of the repository towards the folder beside it. */
const OUTSIDE = [/\.\.\/shared\/(corpus|method|hooks)/, /'\.\.',\s*'shared'/, /REPO,\s*'\.\.'/, /__dirname,\s*'\.\.',\s*'\.\.',\s*'\.\.'/]

describe('the repository is self-contained', () => {
  it('no test, benchmark or script refers to a path outside it', () => {
    const offenders: string[] = []
    for (const root of ROOTS) {
      for (const f of files(join(REPO, root))) {
        const text = readFileSync(f, 'utf8')
        text.split('\n').forEach((line, i) => {
          // the product may name the workflow document in a comment; it never reads it
          if (f.endsWith('self-contained.test.ts') || /^\s*(\*|\/\/)/.test(line)) return
          if (OUTSIDE.some((re) => re.test(line))) offenders.push(`${relative(REPO, f)}:${i + 1}: ${line.trim()}`)
        })
      }
    }
    expect(offenders).toEqual([])
  })

  it('the transcript corpus is in the repository, with where each file comes from', () => {
    const dir = join(REPO, 'test', 'fixtures', 'corpus', 'claude-code-sessions')
    const names = readdirSync(dir).filter((n) => n.endsWith('.jsonl'))
    expect(names.length).toBeGreaterThanOrEqual(4)
    const sources = readFileSync(join(dir, 'SOURCES.md'), 'utf8')
    for (const n of names) expect(sources, `${n} in SOURCES.md`).toContain(n)
    expect(sources).toMatch(/MIT/)
  })
})
