/**
 * The command line's parser (commander): one subcommand per verb, each with only the options it
 * declares. Its help is the usage text; its errors are one line, exit 2.
 */
import { Command, CommanderError } from 'commander'
import { OPTIONS, type Opts } from './args'
import type { AnyVerb } from './context'

export interface Parsed {
  verb: AnyVerb | null
  args: string[]
  opts: Opts
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v]

/** The commands whose --version is a version of the skill (-v stays this program's). */
const SKILL_VERSION = new Set(['verify', 'promote', 'confirm', 'triggers', 'optimize'])

/** The parser for these verbs; `parse` gives the verb typed, its arguments and options (or throws a CommanderError). */
export function program(verbs: AnyVerb[]) {
  let got: Parsed = { verb: null, args: [], opts: {} }
  const root = new Command('trace2skill')
    .exitOverride()
    // the program's own options come before the command (`verify --version N` is a version of the skill)
    .enablePositionalOptions()
    .helpOption(false)
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} })
    .option('-h, --help')
    .option('-v, --version')
    .argument('[command]')
    .allowExcessArguments(true)
    .action((c: string | undefined, o: Opts) => void (got = { verb: null, args: c ? [c] : [], opts: o }))
  for (const v of verbs) {
    const c = root.command(v.name).helpOption(false).argument('[args...]').option('-h, --help')
    // verify's (and promote's, confirm's) --version is the skill's; -v stays this program's
    const skillVersion = SKILL_VERSION.has(v.name)
    c.option(skillVersion ? '--version <n>' : '-v, --version')
    if (skillVersion) c.option('-v')
    for (const name of v.options)
      if (name === 'allowDomain') c.option(OPTIONS.allowDomain, '', collect as (v: string, prev: string[]) => string[])
      else c.option(OPTIONS[name])
    c.action((args: string[], o: Opts & { v?: boolean }) => {
      const { v: program, ...rest } = o
      got = {
        verb: v,
        args,
        opts: skillVersion ? { ...rest, skillVersion: o.version as unknown as string | undefined, version: program } : o
      }
    })
  }
  // the long options that take a value (theirs may start with '-': `--port -1`, `--project -home-me-app`)
  const valued = new Set(root.commands.flatMap((c) => c.options.filter((o) => o.required).map((o) => o.long!)))
  return {
    async parse(argv: string[]): Promise<Parsed> {
      // Claude Code's project folder names start with '-' (e.g. -home-me-app): arguments, not options
      const args: string[] = []
      const loose: string[] = []
      for (let i = 0; i < argv.length; i++) {
        const a = argv[i]
        if (a === '--') {
          loose.push(...argv.slice(i + 1))
          break
        }
        if (valued.has(a) && i + 1 < argv.length) args.push(a, argv[++i])
        else if (/^-[^-]./.test(a)) loose.push(a)
        else args.push(a)
      }
      got = { verb: null, args: [], opts: {} }
      await root.parseAsync(loose.length ? [...args, '--', ...loose] : args, { from: 'user' })
      return got
    }
  }
}

/** A parser's refusal in one line (`verify --version` without its number said as what it is; `command`: the one typed). */
export function parseError(err: CommanderError, command = 'verify'): string {
  const m = err.message.replace(/^error: /, '').split('\n')[0]
  return err.code === 'commander.optionMissingArgument' && m.includes("'--version <n>'")
    ? `${SKILL_VERSION.has(command) ? command : 'verify'} --version takes a version number of the skill (--version N)`
    : m
}
