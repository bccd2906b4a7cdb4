/** Step 2, grade: `grade` (a batch's runs from one line each) and `feedback` (its grades in that same format). */
import { readFile } from 'node:fs/promises'
import { formatFeedbackLine, parseFeedback } from '../../../shared/runs'
import { batchName, call, FEEDBACK_EXAMPLE, findBatch, getBatch, gradeCommand, plural, runsOf, UsageError } from '../common'
import { verb } from '../context'
import { inline } from '../inert'

const grade = verb<{ text: string; from: string }>({
  name: 'grade',
  args: { n: 1, what: 'a batch (its id or name)' },
  options: ['file', 'json'],
  readOnly: false,
  // the feedback is read before the data folder is taken (a pipe from `feedback` works)
  async prepare(_args, o, io) {
    if (o.file === undefined)
      throw new UsageError(`grade needs --file <file> (one line per run: ${FEEDBACK_EXAMPLE}; \`-\` reads standard input)`)
    const text =
      o.file === '-'
        ? await (io.readStdin ?? (() => Promise.reject(new UsageError('no standard input here'))))()
        : await readFile(o.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
            throw new UsageError(`cannot read --file ${o.file}: ${e.code ?? e.message}`)
          })
    return { text, from: o.file === '-' ? 'stdin' : o.file }
  },
  async run({ client, io, print }, [arg], _o, { text, from }) {
    const batchId = await findBatch(client, arg)
    const name = await batchName(client, batchId)
    // copies: what the runs were before grading (the documents change in place)
    const before = structuredClone(await runsOf(client, batchId))
    const busy = before.filter((r) => r.state === 'queued' || r.state === 'running')
    if (busy.length)
      throw new Error(
        `${plural(busy.length, 'run')} of ${JSON.stringify(name)} ${busy.length === 1 ? 'is' : 'are'} still running (${busy.map((r) => `Run ${r.number}`).join(', ')}): grade once the batch has finished`
      )
    const lines = text.split(/\r?\n/).filter((l) => l.trim()).length
    if (!lines) throw new Error(`no feedback lines in ${from}: write one line per run, e.g. ${FEEDBACK_EXAMPLE}`)
    const was = new Map(before.map((r) => [r.number, r.feedback]))
    const res = await call<{ applied: number; errors: string[] }>(client, 'importFeedback', { batchId, text })
    if (res.errors.length) {
      for (const e of res.errors) io.err(`${from}: ${e}`)
      io.err(`trace2skill: nothing applied: ${plural(res.errors.length, 'bad line')} (of ${lines}); fix them and run grade again`)
      return 1
    }
    const entries = parseFeedback(
      text,
      before.map((r) => r.number)
    ).entries.sort((a, b) => a.number - b.number)
    const after = await runsOf(client, batchId)
    const changed = after.filter((r) => JSON.stringify(r.feedback) !== JSON.stringify(was.get(r.number))).length
    const ungraded = after.filter((r) => !r.feedback?.label).map((r) => r.number)
    const graded = after.length - ungraded.length
    // a verification's runs: next is its report (the arms compared)
    const vid = (await getBatch(client, batchId))?.verificationId
    const leftOut = ungraded.length
      ? ` (the ${plural(ungraded.length, 'ungraded run')} ${ungraded.length === 1 ? 'is' : 'are'} left out)`
      : ''
    print(
      {
        batchId,
        batchName: name,
        ...(vid ? { verificationId: vid } : {}),
        applied: entries.map((e) => ({ number: e.number, label: e.label, text: e.text, ...(e.by ? { by: e.by } : {}) })),
        changed,
        graded,
        total: after.length,
        ungraded
      },
      () =>
        [
          ...entries.map((e) => inline(formatFeedbackLine(e.number, e))),
          `${graded} of ${plural(after.length, 'run')} graded in ${JSON.stringify(name)} (${changed} changed${ungraded.length ? `; ungraded: ${ungraded.join(', ')}` : ''})`,
          vid ? `next: trace2skill report ${vid}${leftOut}` : `next: trace2skill analyze ${batchId}${leftOut}`
        ].join('\n')
    )
  }
})

const feedback = verb({
  name: 'feedback',
  args: { n: 1, what: 'a batch (its id or name)' },
  options: ['json'],
  readOnly: true,
  async run({ client, io, print }, [arg]) {
    const batchId = await findBatch(client, arg)
    const name = await batchName(client, batchId)
    const exported = await call<{ text: string; graded: number; total: number }>(client, 'exportFeedback', { batchId })
    const all = await runsOf(client, batchId)
    const graded = all.filter((r) => r.feedback?.label)
    // in run-number order (a verification's runs are queued in another order): the same lines
    const got = { ...exported, text: graded.map((r) => `${inline(formatFeedbackLine(r.number, r.feedback!))}\n`).join('') }
    if (!got.graded)
      io.err(
        `no graded runs in ${JSON.stringify(name)} (${plural(got.total, 'run')}): grade them with ${gradeCommand((await getBatch(client, batchId))?.verificationId ?? batchId)}, or in the app's review deck`
      )
    else if (got.graded < got.total)
      io.err(
        `${got.graded} of ${got.total} runs graded (ungraded: ${all
          .filter((r) => !r.feedback?.label)
          .map((r) => r.number)
          .join(', ')})`
      )
    print(
      {
        batchId,
        batchName: name,
        ...got,
        runs: graded.map((r) => ({ number: r.number, label: r.feedback!.label, text: r.feedback!.text }))
      },
      () => got.text.replace(/\n$/, '')
    )
  }
})

export const gradeVerbs = [grade, feedback]
