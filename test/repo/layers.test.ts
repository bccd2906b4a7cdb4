/**
 * The main process's layers are kept by the linter (eslint.config.js, LAYERS): an import upward or
 * sideways, or of electron outside the shell, fails `npm run lint`; the imports the code has today pass.
 */
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: process.cwd() })
const lint = async (file: string, code: string) =>
  (await eslint.lintText(code, { filePath: file }))[0].messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)

describe('layers', () => {
  it('an import from a layer above or beside is refused, naming both folders', async () => {
    expect(await lint('src/main/store/x.ts', "import { planRuns } from '../runs/queued'\nexport const y = planRuns\n")).toEqual([
      expect.stringContaining('src/main/store may not import src/main/runs')
    ])
    expect(await lint('src/main/verify/x.ts', "import { fail } from '../app/dispatch'\nexport const y = fail\n")).toHaveLength(1)
    expect(await lint('src/main/verify/x.ts', "import { z } from '../review/service'\nexport const y = z\n")).toHaveLength(1)
    expect(await lint('src/main/skills/x.ts', "export { agentMarkdown } from '../analysts/pipeline'\n")).toHaveLength(1)
    expect(await lint('src/shared/x.ts', "import { isInside } from '../main/base/paths'\nexport const y = isInside\n")).toHaveLength(1)
  })

  it('a folder inside a layer is held to it too; an agent driver and a backend know nothing of each other', async () => {
    expect(
      await lint('src/main/agents/claude-code/x.ts', "import { planRuns } from '../../runs/queued'\nexport const y = planRuns\n")
    ).toEqual([expect.stringContaining('src/main/agents may not import src/main/runs')])
    expect(
      await lint(
        'src/main/agents/claude-code/x.ts',
        "import { createLocalBackend } from '../../backends/local/backend'\nexport const y = createLocalBackend\n"
      )
    ).toHaveLength(1)
    expect(
      await lint('src/main/backends/local/x.ts', "import type { AgentDriver } from '../../agents/driver'\nexport type Y = AgentDriver\n")
    ).toHaveLength(1)
    expect(
      await lint('src/main/backends/local/x.ts', "import { startProcess } from '../../base/processes'\nexport const y = startProcess\n")
    ).toEqual([])
  })

  it('electron only in the shell', async () => {
    expect(await lint('src/main/runs/x.ts', "import { app } from 'electron'\nexport const y = app\n")).toHaveLength(1)
    expect(await lint('src/main/electron/x.ts', "import { app } from 'electron'\nexport const y = app\n")).toEqual([])
  })

  it('imports downward pass', async () => {
    expect(
      await lint(
        'src/main/analysts/x.ts',
        "import { isInside } from '../base/paths'\nimport { mergeRules } from '../skills/rules/consolidate'\nexport const y = [isInside, mergeRules]\n"
      )
    ).toEqual([])
    expect(await lint('src/main/cli/x.ts', "import { dispatch } from '../app/dispatch'\nexport const y = dispatch\n")).toEqual([])
  })
})
