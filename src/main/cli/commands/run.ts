/** Step 1, run: `variations` (a task's variations, written by a model) and `run` (a batch of claude -p). */
import { follow } from '../follow'
import { stat } from 'node:fs/promises'
import {
  describeClaudeSettings,
  describePreset,
  RunSettingsSchema,
  type Mix,
  type PermissionPreflight,
  type Run,
  type TemplateInspection,
  type Variation
} from '../../../shared/runs'
import type { AppInfo } from '../../../shared/contract'
import { installHint, type ClaudeCheck } from '../../agents/claude-code/check'
import { templateLines } from '../../agents/claude-code/template'
import { allowDomains, claudePath, int, preset, readTaskFile, readVariationsFile } from '../args'
import type { Client } from '../client'
import { call, FEEDBACK_EXAMPLE, gradeCommand, plural, runNumbers, runsOf, UsageError, type CliIo } from '../common'
import { verb } from '../context'
import { inline } from '../inert'
import { RunBoard } from '../progress'
import { askForVariations, parseMix, variationList, writeNewFile, writeVariationsFor } from '../variations'
import { batchEnded } from '../wait'

async function runBatch(
  client: Client,
  o: {
    task: string
    variations?: string
    mix: Mix
    concurrency?: number
    maxTurns?: number
    preset?: string
    allowDomains?: string[]
    useMyClaudeSettings?: boolean
  },
  more: { model?: string; claude?: string },
  io: CliIo
) {
  const taskIn = await readTaskFile(o.task)
  const fromFile = o.variations ? await readVariationsFile(o.variations) : null
  // No --preset: sandboxed, and where it cannot work, a refusal that names the way out (never a silent fall-back).
  if (!o.preset) {
    const can = (await call<PermissionPreflight>(client, 'checkSandbox', {})).presets.sandboxed
    if (!can.available)
      throw new Error(
        `runs are sandboxed by default, and the sandbox is not available here: ${can.reason}. To run without it, pass --preset accept-edits`
      )
  }
  const settings = RunSettingsSchema.parse({
    concurrency: o.concurrency,
    maxTurns: o.maxTurns,
    model: more.model,
    claudePath: more.claude,
    permission: o.preset ?? 'sandboxed',
    allowedDomains: o.allowDomains,
    useMyClaudeSettings: o.useMyClaudeSettings
  })
  // before anything is saved: a run that cannot start leaves no task behind
  const check = await call<ClaudeCheck>(client, 'checkClaude', { path: settings.claudePath || 'claude' })
  if (!check.ok) throw new Error(`${check.error}. ${installHint('cli')}`)
  const task = await call<{ id: string }>(client, 'saveTask', taskIn)
  // no --variations: a model writes them, as the app's task page does (nothing is left if it fails)
  const variations = fromFile
    ? await call<Variation[]>(client, 'saveVariations', { taskId: task.id, variations: fromFile })
    : await writeVariationsFor(client, io, task.id, taskIn, o.mix).catch(async (err) => {
        // the variations' failure is the one said; a task that cannot be taken back is said too (it is left in the app)
        await call(client, 'deleteTask', { id: task.id }).catch((e: Error) =>
          io.err(
            `warning: the task saved for this run is left (${e.message.split('\n')[0]}): delete it in the app (Tasks & runs) if it is not wanted`
          )
        )
        throw err
      })
  io.err(`permissions: ${describePreset(settings)}`)
  io.err(`settings: ${describeClaudeSettings(settings)}`)
  // what the template brings for Claude Code, and that its settings do not load, before anything runs
  const template = await call<TemplateInspection | null>(client, 'inspectTemplate', { taskId: task.id })
  if (template?.entries.length) io.err([`template ${inline(template.dir)}:`, ...templateLines(template.entries)].join('\n'))
  const batch = await call<{ id: string; name: string; runIds: string[] }>(client, 'createBatch', { taskId: task.id, settings })
  const nearMisses = variations.filter((v) => v.nearMiss).length
  io.err(
    `batch ${batch.id} ${JSON.stringify(inline(batch.name))}: ${plural(batch.runIds.length, 'run')}${nearMisses ? ` (${plural(nearMisses, 'near-miss prompt')} kept with the task, not run)` : ''}`
  )
  if (!fromFile)
    io.err(
      `the ${plural(variations.length, 'variation')} written are kept with the task ${JSON.stringify(inline(taskIn.name, 200))} and its batch (\`trace2skill batch ${batch.id}\` shows each prompt)`
    )
  // progress: a line per run that finishes, with the counts; on a terminal, a live line under them
  const board = new RunBoard()
  for (const r of await runsOf(client, batch.id)) board.update(r)
  const live = io.status?.start(() => board.line())
  await follow({
    io,
    client,
    live,
    onEvent: (event, payload) => {
      if (event !== 'runProgress') return
      const r = (payload as { run: Run }).run
      if (r.batchId !== batch.id) return
      if (board.update(r)) io.err(board.finished(r))
      live?.changed()
    },
    start: async () => {
      await call(client, 'startBatch', { batchId: batch.id })
      return batch.id
    },
    cancel: (batchId) => call(client, 'cancelBatch', { batchId }),
    cancelling: (batchId) => `cancelling batch ${batchId} (Ctrl+C again stops at once)`,
    ended: (batchId) => batchEnded(client, batchId),
    // a run whose last event had not come when the batch was seen ended: its line all the same
    after: async (batchId) => {
      for (const r of await runsOf(client, batchId)) if (board.update(r)) io.err(board.finished(r))
    }
  })
  const got = { runs: await runsOf(client, batch.id) }
  return {
    batchId: batch.id,
    batchName: batch.name,
    dataDir: (await call<AppInfo>(client, 'getAppInfo', {})).dataDir,
    next: `trace2skill grade ${batch.id} --file feedback.txt`,
    variations: { source: fromFile ? 'file' : 'written', count: variations.length },
    preset: settings.permission,
    runs: got.runs.map((r) => ({
      number: r.number,
      state: r.state,
      reason: r.reason,
      workspace: r.workspace,
      sessionId: r.sessionId,
      projectId: r.projectId,
      files: r.files.length,
      screenshots: r.screenshots.flatMap((s) => s.shots.map((x) => x.file)),
      result: r.result,
      ...runNumbers(r)
    }))
  }
}

const variations = verb({
  name: 'variations',
  args: { n: 0, what: '' },
  options: ['task', 'mix', 'model', 'out', 'json', 'variations'],
  readOnly: true,
  // checked (and its task read) before anything is asked of a model
  async prepare(_args, o) {
    if (o.task === undefined) throw new UsageError('variations needs --task <file> (JSON {name, text} or a text file)')
    if (o.variations !== undefined) throw new UsageError('variations writes variations: it takes no --variations (use --out FILE)')
    const mix = parseMix(o.mix)
    if (o.out !== undefined && (await stat(o.out).catch(() => null)))
      throw new UsageError(`--out ${o.out} exists: give a new file name (nothing was overwritten)`)
    return { task: await readTaskFile(o.task), taskFile: o.task, mix, out: o.out }
  },
  async run({ client, io, print, json }, _args, o, a) {
    const items = await askForVariations(client, io, a.task, a.mix, o.model)
    const asJson = json || a.out?.endsWith('.json')
    const list = variationList(items)
    const text = asJson ? `${JSON.stringify(items, null, 2)}\n` : list.text
    if (!asJson && list.flattened.length)
      io.err(
        list.flattened.length === 1
          ? `note: variation ${list.flattened[0]} is put on one line (its own numbered lines would read as new variations; --json keeps it as written)`
          : `note: variations ${list.flattened.join(', ')} are put on one line (their own numbered lines would read as new variations; --json keeps them as written)`
      )
    if (a.out) {
      await writeNewFile(a.out, text)
      io.err(`${plural(items.length, 'variation')} written to ${inline(a.out)}`)
    } else if (asJson) print(items, () => '')
    else io.out(text.replace(/\n$/, ''))
    io.err(`next: trace2skill run --task ${inline(a.taskFile)} --variations ${a.out ? inline(a.out) : '<that list, saved to a file>'}`)
  }
})

const run = verb({
  name: 'run',
  args: { n: 0, what: '' },
  options: ['task', 'variations', 'mix', 'concurrency', 'maxTurns', 'model', 'claude', 'preset', 'allowDomain', 'myClaudeSettings', 'json'],
  readOnly: false,
  screenshots: true,
  prepare: (_args, o) => ({
    task:
      o.task ??
      (() => {
        throw new UsageError('run needs --task <file>')
      })(),
    variations: o.variations,
    mix:
      o.mix !== undefined && o.variations !== undefined
        ? (() => {
            throw new UsageError('run takes --variations <file> or --mix (variations written for it), not both')
          })()
        : parseMix(o.mix),
    concurrency: int('concurrency', o.concurrency, 1, 16),
    maxTurns: int('max-turns', o.maxTurns, 1, 1000),
    preset: preset(o),
    allowDomains: allowDomains(o),
    useMyClaudeSettings: o.myClaudeSettings || undefined
  }),
  async run({ client, io, print }, _args, o, opts) {
    const batch = await runBatch(client, opts, { model: o.model, claude: claudePath(o) }, io)
    const done = batch.runs.filter((r) => r.state === 'done').length
    print(batch, () =>
      [
        ...batch.runs.map((r) => `Run ${r.number}: ${r.state}${r.reason ? ` (${inline(r.reason)})` : ''}  ${inline(r.workspace ?? '')}`),
        `results: ${batch.dataDir}`,
        `batch ${batch.batchId} ${JSON.stringify(batch.batchName)}: ${done} of ${plural(batch.runs.length, 'run')} done`,
        `next: grade the runs in the app (Grade the runs on the batch page), or write one line per run (${FEEDBACK_EXAMPLE}; \`trace2skill batch ${batch.batchId}\` shows what each made) and run ${gradeCommand(batch.batchId)}`
      ].join('\n')
    )
    return batch.runs.some((r) => r.state !== 'done') ? 1 : 0
  }
})

export const runVerbs = [variations, run]
