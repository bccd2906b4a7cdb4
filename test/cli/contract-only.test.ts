/**
 * The command line goes only through the contract (issue 19): what a command reads or changes, it asks
 * with `call(client, name, input)`, the same requests the app and the web mode make, so it works the
 * same in this process and as a client of the running app. No file of src/main/cli imports a domain
 * module to do work; it may import their types, and the few pure helpers that say things in words
 * (listed here, each with why), and the shell's wiring (app/, web/).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const MAIN = resolve('src/main')
const CLI = join(MAIN, 'cli')
/** The domain: what the contract's handlers adapt (with the agent drivers, run backends and what they stand on). */
const DOMAIN = ['runs', 'store', 'traces', 'analysts', 'skills', 'grading', 'verify', 'review', 'operations', 'agents', 'backends', 'base']
/** What a command may import from the domain, and why it is not work done around the contract. */
const ALLOWED: Record<string, string> = {
  installHint: 'a sentence: how to install Claude Code',
  templateLines: "words for a template's files, from what inspectTemplate answered",
  describeCuts: "words for an analysis's cuts, from what getAnalysis answered",
  groupsNote: 'a sentence about analysed groups',
  verificationStatus: "a verification's counts from the runs getBatch answered",
  lockHolder: 'whether a process holds the data folder (what decides going through the app at all)',
  DataDirBusyError: 'the error that says the data folder is held',
  playwrightScreenshots: 'the screenshot port this process gives the core it opens (wiring, like createService)'
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []
  )
}

/** Every value (not type-only) a file takes from the domain: [imported name or `*`, module]. */
function domainValues(file: string, text = readFileSync(file, 'utf8')): [string, string][] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const out: [string, string][] = []
  const domainOf = (spec: string) => {
    if (!spec.startsWith('.')) return null
    const [top] = relative(MAIN, resolve(dirname(file), spec)).split(sep)
    return DOMAIN.includes(top) ? relative(MAIN, resolve(dirname(file), spec)) : null
  }
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const mod = domainOf(node.moduleSpecifier.text)
      const clause = node.importClause
      if (mod && clause && !clause.isTypeOnly) {
        if (clause.name) out.push(['default', mod])
        const bindings = clause.namedBindings
        if (bindings && ts.isNamespaceImport(bindings)) out.push(['*', mod])
        if (bindings && ts.isNamedImports(bindings))
          for (const el of bindings.elements) if (!el.isTypeOnly) out.push([(el.propertyName ?? el.name).text, mod])
      } else if (mod && !clause) out.push(['(side effects)', mod])
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const mod = domainOf(node.moduleSpecifier.text)
      if (mod && !node.isTypeOnly) out.push(['(re-export)', mod])
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments
      const mod = arg && ts.isStringLiteral(arg) ? domainOf(arg.text) : null
      if (mod) out.push(['(dynamic import)', mod])
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return out
}

describe('the command line goes only through the contract', () => {
  it('imports no domain module to do work: only types, and pure helpers that say things in words', () => {
    const files = filesUnder(CLI)
    expect(files.length).toBeGreaterThan(10)
    const found = files.flatMap((f) => domainValues(f).map(([name, mod]) => `${relative(CLI, f)}: ${name} from ${mod}`))
    const offending = found.filter((line) => !(line.split(': ')[1].split(' from ')[0] in ALLOWED))
    expect(offending).toEqual([])
    // the check sees what it must: the allowed helpers are found where they are used
    expect(found.some((l) => l.includes('installHint from agents/claude-code/check'))).toBe(true)
  })

  it('the check itself sees work done around the contract, and lets types through', () => {
    const probe = join(CLI, 'commands', 'probe.ts')
    const text = [
      "import { readInsideFile, type OutputFile } from '../../base/workspace'",
      "import type { Store } from '../../store/store'",
      "import { call } from '../common'",
      "export { generateVariations } from '../../runs/variations'",
      "const report = await import('../../verify/report')"
    ].join('\n')
    expect(domainValues(probe, text)).toEqual([
      ['readInsideFile', join('base', 'workspace')],
      ['(re-export)', join('runs', 'variations')],
      ['(dynamic import)', join('verify', 'report')]
    ])
  })
})
