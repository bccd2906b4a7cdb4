/**
 * The `trace2skill` command line: the same core as the app, for scripting and CI. Each command is a
 * file under commands/ (its arguments, options, whether it only reads, what it does); every read and
 * write goes through the contract. JSON goes to stdout, warnings to stderr; bad arguments exit
 * non-zero with a one-line reason.
 */
import { CommanderError } from 'commander'
import { VERSION } from '../../shared/version'
import { UsageError, type CliIo } from './common'
import { openContext, type AnyVerb } from './context'
import { inert, jsonText } from './inert'
import { parseError, program } from './program'
import { StatusLine } from './progress'
import { USAGE } from './usage'
import { analyzeVerbs } from './commands/analyze'
import { confirmVerbs } from './commands/confirm'
import { batchVerbs } from './commands/batches'
import { gradeVerbs } from './commands/grade'
import { graderVerbs } from './commands/grader'
import { reportVerbs } from './commands/report'
import { runVerbs } from './commands/run'
import { sessionVerbs } from './commands/sessions'
import { skillVerbs } from './commands/skills'
import { verifyVerbs } from './commands/verify'
import { candidatesVerbs } from './commands/candidates'
import { triggersVerbs } from './commands/triggers'
import { optimizeVerbs } from './commands/optimize'
import { webVerbs } from './commands/web'

export type { CliIo } from './common'

/** Every command, in the usage text's order. */
const byName = new Map<string, AnyVerb>(
  [
    ...sessionVerbs,
    ...webVerbs,
    ...runVerbs,
    ...batchVerbs,
    ...gradeVerbs,
    ...graderVerbs,
    ...analyzeVerbs,
    ...skillVerbs,
    ...verifyVerbs,
    ...candidatesVerbs,
    ...confirmVerbs,
    ...triggersVerbs,
    ...optimizeVerbs,
    ...reportVerbs
  ].map((v) => [v.name, v])
)
const ORDER = [
  'projects',
  'sessions',
  'trace',
  'index',
  'web',
  'variations',
  'run',
  'batches',
  'batch',
  'grade',
  'feedback',
  'rubric',
  'grader',
  'pregrade',
  'analyze',
  'skills',
  'skill',
  'export',
  'verify',
  'resume',
  'candidates',
  'confirm',
  'triggers',
  'optimize',
  'report',
  'verifications',
  'explain',
  'deepen',
  'promote'
]
const VERBS = ORDER.map((n) => byName.get(n)!)
/** commands that never change the store (they run beside the app or another command) */
const READERS = VERBS.filter((v) => v.readOnly === true).map((v) => v.name)

export async function runCli(argv: string[], rawIo: CliIo): Promise<number> {
  // Whatever is printed may hold text from a run, a trace, a model or a file name: inert, always. On a
  // terminal, long work keeps a live line at the foot of stderr, and every line printed goes above it.
  const status = new StatusLine(rawIo, rawIo.tty)
  const io: CliIo = { ...rawIo, out: (t) => status.out(inert(t)), err: (t) => status.err(inert(t)), status }
  let parsed
  try {
    parsed = await program(VERBS).parse(argv)
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err
    io.err(
      `trace2skill: ${parseError(
        err,
        argv.find((a) => !a.startsWith('-'))
      )}`
    )
    return 2
  }
  const { verb: v, args, opts: o } = parsed
  if (o.version) {
    io.out(VERSION)
    return 0
  }
  if (o.help || !v) {
    if (!v && args.length && !o.help) {
      io.err(`trace2skill: unknown command: ${args[0]} (try --help)`)
      return 2
    }
    ;(v || o.help ? io.out : io.err)(USAGE)
    return o.help ? 0 : 2
  }
  const print = (value: unknown, human: () => string) => {
    const text = o.json ? jsonText(value) : human()
    // nothing to say in words (an empty list: stderr says why): no empty line either
    if (o.json || text) io.out(text)
  }
  let opened: Awaited<ReturnType<typeof openContext>> | null = null
  try {
    const want = v.args
    if ('n' in want && args.length !== want.n)
      throw new UsageError(args.length < want.n ? `${v.name} needs ${want.what}` : `${v.name}: unexpected argument ${args[want.n]}`)
    if ('max' in want && args.length > want.max) throw new UsageError(`${v.name}: unexpected argument ${args[want.max]}`)
    const prepared: unknown = await v.prepare?.(args, o, io)
    opened = await openContext(v, o, io, READERS, print)
    const code = (await v.run(opened.ctx, args, o, prepared)) ?? 0
    opened.finish()
    return code
  } catch (err) {
    io.err(`trace2skill: ${(err as Error).message.split('\n')[0]}`)
    return err instanceof UsageError ? 2 : 1
  } finally {
    await opened?.close()
  }
}
