/** Batches, read: `batches` (every batch, what a headless user needs to pick one) and `batch` (its runs, what to grade them by). */
import type { Analysis } from '../../../shared/analysis'
import type { BatchStatus } from '../../../shared/contract'
import type { Batch, Run, Task } from '../../../shared/runs'
import type { Skill } from '../../../shared/skills'
import type { Client } from '../client'
import { call, findBatch, gradeCommand, MAKE_BATCH, oneLineOf, plural, runNumbers, runsOf, STATES, statesLine } from '../common'
import { verb } from '../context'
import { inline } from '../inert'

/** What names a batch for people: its id, name, task, when, and its permission preset (imported: none). */
const batchHead = (tasks: Task[], b: Batch) => ({
  id: b.id,
  name: b.name,
  task: b.taskId ? (tasks.find((t) => t.id === b.taskId)?.name ?? null) : null,
  createdAt: b.createdAt,
  preset: b.taskId ? b.settings.permission : null
})

/** Every batch, newest first, with what a headless user needs to pick one. */
async function listBatches(client: Client) {
  const [all, tasks, skills] = await Promise.all([
    call<{ batch: Batch; status: BatchStatus }[]>(client, 'listBatches', {}),
    call<Task[]>(client, 'listTasks', {}),
    call<Skill[]>(client, 'listSkills', {})
  ])
  return Promise.all(
    all.map(async ({ batch: b }) => {
      const runs = await runsOf(client, b.id)
      const count = (f: (r: Run) => boolean) => runs.filter(f).length
      return {
        ...batchHead(tasks, b),
        runs: runs.length,
        ...Object.fromEntries(STATES.map((s) => [s, count((r) => r.state === s)])),
        graded: count((r) => !!r.feedback?.label),
        good: count((r) => r.feedback?.label === 'good'),
        bad: count((r) => r.feedback?.label === 'bad'),
        analyses: (await call<Analysis[]>(client, 'listAnalyses', { batchId: b.id })).length,
        skills: skills.filter((s) => s.batchIds.includes(b.id)).map((s) => s.id),
        states: statesLine(runs)
      }
    })
  )
}

/** One batch with each run's state, grade and what it made (a blind verification's: without what tells its arm). */
async function showBatch(client: Client, batchId: string) {
  const [got, tasks] = await Promise.all([
    call<{ batch: Batch; runs: Run[]; verificationId?: string }>(client, 'getBatch', { batchId }),
    call<Task[]>(client, 'listTasks', {})
  ])
  const runs = got.runs.sort((x, y) => x.number - y.number)
  const { verificationId } = got
  return {
    ...batchHead(tasks, got.batch),
    ...(verificationId ? { verificationId } : {}),
    graded: runs.filter((r) => r.feedback?.label).length,
    runs: await Promise.all(
      runs.map(async (r) => {
        const shown = {
          number: r.number,
          state: r.state,
          reason: r.reason ?? null,
          difficulty: r.difficulty ?? null,
          prompt: r.prompt,
          label: r.feedback?.label ?? null,
          text: r.feedback?.text ?? '',
          // who graded: the grader's grade that no person confirmed says so
          gradedBy: r.feedback?.label ? (r.feedback.by ?? 'person') : null,
          files: r.files.map((f) => f.path),
          screenshots: r.screenshots.flatMap((s) => s.shots.map((x) => x.file)),
          result: r.result ?? null,
          imported: r.imported
        }
        // until its verification's last grade: no session, folder or numbers (they tell its arm); what it
        // made is here instead of its folder: each text file it wrote (up to 256 KB)
        if (r.blind) return { ...shown, blind: true as const, texts: await textsOf(client, r) }
        return { ...shown, workspace: r.workspace ?? null, sessionId: r.sessionId, ...runNumbers(r) }
      })
    )
  }
}

/** The text files a blind run made (or changed), by path: what a blind grader reads instead of its folder. */
async function textsOf(client: Client, blind: Run): Promise<Record<string, string>> {
  const texts = await call<{ path: string; text: string }[]>(client, 'getRunTexts', { runId: blind.id })
  return Object.fromEntries(texts.map((t) => [t.path, t.text]))
}

const batches = verb({
  name: 'batches',
  args: { n: 0, what: '' },
  options: ['json'],
  readOnly: true,
  async run({ client, io, print }) {
    const list = await listBatches(client)
    if (!list.length) io.err(`no batches yet: ${MAKE_BATCH}, or in the app (Tasks & runs)`)
    print(
      list.map(({ states: _states, ...b }) => b),
      () =>
        list
          .map((b) =>
            [
              b.id,
              inline(b.name),
              `${plural(b.runs, 'run')} (${b.states})`,
              `${b.graded} of ${b.runs} graded`,
              b.createdAt.slice(0, 16).replace('T', ' '),
              b.skills.length ? `${plural(b.skills.length, 'skill')}` : ''
            ]
              .filter(Boolean)
              .join('\t')
          )
          .join('\n')
    )
  }
})

const batch = verb({
  name: 'batch',
  args: { n: 1, what: 'a batch (its id or name)' },
  options: ['json'],
  readOnly: true,
  async run({ client, print }, [arg]) {
    const b = await showBatch(client, await findBatch(client, arg))
    const vid = b.verificationId
    print(b, () =>
      [
        `batch ${b.id} ${JSON.stringify(b.name)}${b.task ? ` (task ${JSON.stringify(b.task)})` : ''}${b.preset ? `, ${b.preset}` : ''}: ${plural(b.runs.length, 'run')} (${statesLine(b.runs)}), ${b.graded} of ${b.runs.length} graded`,
        ...(vid
          ? [
              `blind: the runs of verification ${vid}, both arms numbered at random; grade them by what they made with ${gradeCommand(vid)}, then \`trace2skill report ${vid}\` says which was which`
            ]
          : []),
        ...b.runs.flatMap((r) => [
          `Run ${r.number}: ${r.state}${r.reason ? ` (${inline(r.reason)})` : ''}, ${r.label ? `${r.label}${r.gradedBy === 'grader' ? ' (grader)' : ''}${r.text.trim() ? ` - ${oneLineOf(r.text, 120)}` : ''}` : 'ungraded'}${r.difficulty ? ` (${r.difficulty})` : ''}`,
          `  prompt: ${oneLineOf(r.prompt, 160)}`,
          ...('workspace' in r && r.workspace ? [`  workspace: ${inline(r.workspace)}`] : []),
          ...(r.files.length ? [`  files: ${r.files.map((f) => inline(f)).join(', ')}`] : []),
          ...r.screenshots.map((f) => `  screenshot: ${inline(f)}`),
          ...(r.result ? [`  answer: ${oneLineOf(r.result, 160)}`] : []),
          // a verification's trace shows whether the skill was loaded: not while grading blind
          ...(vid || !('sessionId' in r) ? [] : [`  trace: trace2skill trace ${r.sessionId}`])
        ])
      ].join('\n')
    )
  }
})

export const batchVerbs = [batches, batch]
