/**
 * Variations from the command line: `variations` asks the model for a task's variations through the
 * contract (proposeVariations: the app's own core, a forced tool call, the mix checked, one retry; saved
 * nowhere) and writes the list `run` takes; `run` without `--variations` has them written for its saved
 * task (generateVariations). Nothing here writes the store.
 */
import { open } from 'node:fs/promises'
import { DEFAULT_VARIATION_MODEL } from '../../shared/models'
import { DEFAULT_MIX, DIFFICULTIES, NEAR_MISS_TAG, parseNumberedList, type Difficulty, type Mix, type Variation } from '../../shared/runs'
import type { ModelAccessInfo } from '../../shared/contract'
import type { Client } from './client'
import { call, plural, UsageError, type CliIo } from './common'
import { inline } from './inert'

/** `--mix 5,8,4,3`: easy, normal, hard, adversarial (the default is the workflow's 20). */
export function parseMix(value: string | undefined): Mix {
  if (value === undefined) return DEFAULT_MIX
  const parts = value.split(',').map((x) => x.trim())
  const bad = () =>
    new UsageError(
      `--mix takes four whole numbers from 0 to 50, for easy, normal, hard and adversarial (such as ${DIFFICULTIES.map((d) => DEFAULT_MIX[d]).join(',')}), not ${value}`
    )
  if (parts.length !== DIFFICULTIES.length || !parts.every((x) => /^\d{1,2}$/.test(x) && Number(x) <= 50)) throw bad()
  const mix = Object.fromEntries(DIFFICULTIES.map((d, i) => [d, Number(parts[i])])) as Mix
  if (!DIFFICULTIES.some((d) => mix[d] > 0)) throw new UsageError(`--mix ${value} asks for no variation: ask for at least one`)
  return mix
}

/** "5 easy, 8 normal, 4 hard, 3 adversarial" (the kinds asked for). */
export const mixText = (mix: Mix) =>
  DIFFICULTIES.filter((d) => mix[d] > 0)
    .map((d) => `${mix[d]} ${d}`)
    .join(', ')
export const mixTotal = (mix: Mix) => DIFFICULTIES.reduce((n, d) => n + mix[d], 0)

/**
 * The numbered list `run --variations` reads back to the same variations: `1. [easy] prompt` (a near
 * miss `1. [easy] [near-miss] prompt`), a prompt's further lines under it. A prompt whose own lines would read as new items (its own numbered
 * list) is put on one line, and said so in `flattened`.
 */
export function variationList(items: { difficulty: Difficulty; prompt: string; nearMiss?: boolean }[]): {
  text: string
  flattened: number[]
} {
  const flattened: number[] = []
  const lines = items.map((v, i) => {
    const item = (prompt: string) => `${i + 1}. [${v.difficulty}] ${v.nearMiss ? `[${NEAR_MISS_TAG}] ` : ''}${prompt}`
    // what the list reader makes of a prompt's lines: each trimmed, blank ones dropped
    const prompt = v.prompt
      .split(/\r\n?|\n/)
      .map((l) => l.trim())
      .filter(Boolean)
      .join('\n')
    const kept = item(prompt.replace(/\n/g, '\n   '))
    const back = parseNumberedList(kept)
    if (
      back.errors.length === 0 &&
      back.items.length === 1 &&
      back.items[0].prompt === prompt &&
      back.items[0].difficulty === v.difficulty &&
      Boolean(back.items[0].nearMiss) === Boolean(v.nearMiss)
    )
      return kept
    flattened.push(i + 1)
    return item(prompt.replace(/\s+/g, ' '))
  })
  return { text: `${lines.join('\n')}\n`, flattened }
}

/** "writing 20 variations (5 easy, ...) of "Landing page" with claude-..." */
const sayWriting = (io: CliIo, task: { name: string }, mix: Mix, model: string | undefined) =>
  io.err(
    `writing ${plural(mixTotal(mix), 'variation')} (${mixText(mix)}) of ${JSON.stringify(inline(task.name, 200))} with ${inline(model ?? DEFAULT_VARIATION_MODEL, 100)}`
  )

/** Rejects once the person stops the command (Ctrl+C): the request it races is left, and nothing was written. */
const whenStopped = (io: CliIo) =>
  new Promise<never>((_, reject) => io.untilStopped?.then(() => reject(new Error('cancelled: no variations were written'))))

/**
 * Ask the model for a task's variations through the contract (proposeVariations), as the app does,
 * saving nothing: the API key is the environment's (the core here is given it), the base URL the one
 * the app would use (its setting, else ANTHROPIC_BASE_URL).
 */
export async function askForVariations(
  client: Client,
  io: CliIo,
  task: { name: string; text: string },
  mix: Mix,
  model: string | undefined
): Promise<{ difficulty: Difficulty; prompt: string }[]> {
  const info = await call<ModelAccessInfo>(client, 'getModelAccess', {})
  if (!info.hasKey)
    throw new Error('No Anthropic API key: set ANTHROPIC_API_KEY (or write the variations yourself: a numbered list, one prompt per item)')
  sayWriting(io, task, mix, model)
  const asked = call<{ difficulty: Difficulty; prompt: string }[]>(client, 'proposeVariations', {
    task: { name: task.name, text: task.text },
    mix,
    model
  })
  return Promise.race([asked, whenStopped(io)])
}

/** A saved task's variations written by the model through the contract (the app's own request; they are saved on the task). */
export async function writeVariationsFor(
  client: Client,
  io: CliIo,
  taskId: string,
  task: { name: string },
  mix: Mix
): Promise<Variation[]> {
  sayWriting(io, task, mix, undefined)
  return Promise.race([call<Variation[]>(client, 'generateVariations', { taskId, mix }), whenStopped(io)])
}

/** Write a new file (never over one that is there: nothing of the person's is lost). */
export async function writeNewFile(file: string, text: string): Promise<void> {
  const fh = await open(file, 'wx', 0o644).catch((e: NodeJS.ErrnoException) => {
    throw e.code === 'EEXIST'
      ? new UsageError(`--out ${file} exists: give a new file name (nothing was overwritten)`)
      : new UsageError(`cannot write --out ${file}: ${e.code ?? e.message}`)
  })
  try {
    await fh.writeFile(text)
  } finally {
    await fh.close()
  }
}
