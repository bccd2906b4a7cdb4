/**
 * Every way `claude -p` can fail an analyst is an AppError with a code from the contract (none left to
 * the dispatcher's guess): it cannot be run (claude-missing, with the spawn error as its cause), it
 * ends without a result or reports a failure (internal). Fake `claude` scripts: no model, no network.
 */
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { claudeCliModel } from '../../src/main/analysts/model'
import { PROPOSE_TOOL } from '../../src/main/analysts/pipeline'
import { AppError } from '../../src/shared/contract'

let base: string
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 't2s-claude-errors-'))
})

const callWith = (claudePath: string) =>
  claudeCliModel({ claudePath, env: { PATH: process.env.PATH } })
    .call(
      {
        model: 'claude-sonnet-4-6',
        system: 's',
        shared: [{ type: 'text', text: 'x' }],
        instructions: 'y',
        tool: PROPOSE_TOOL,
        maxTokens: 100
      },
      {},
      new AbortController().signal
    )
    .then(
      () => null,
      (e: unknown) => e
    )

async function script(name: string, body: string) {
  const file = join(base, name)
  await writeFile(file, `#!/bin/sh\ncat > /dev/null\n${body}\n`)
  await chmod(file, 0o755)
  return file
}

describe('claude -p failures are AppErrors with a code', () => {
  it('not there: claude-missing, its cause the spawn error', async () => {
    const err = await callWith(join(base, 'nowhere', 'claude'))
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ code: 'claude-missing', cause: { code: 'ENOENT' } })
  })

  it('a folder in its place: claude-missing (it cannot be run)', async () => {
    const dir = join(base, 'a-folder')
    await mkdir(dir)
    const err = await callWith(dir)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('claude-missing')
  })

  it('ends without a result: internal, in one line', async () => {
    const err = await callWith(await script('crashes', 'echo "first line" >&2\necho "Segmentation fault" >&2\nexit 3'))
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ code: 'internal', message: 'claude -p exited with code 3 without a result: Segmentation fault' })
  })

  it('reports a failure of its own: internal', async () => {
    const result = JSON.stringify({ type: 'result', subtype: 'success', is_error: true, result: 'Credit balance is too low' })
    const err = await callWith(await script('refuses', `echo '${result}'\nexit 1`))
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ code: 'internal', message: 'claude -p failed: Credit balance is too low' })
  })
})
