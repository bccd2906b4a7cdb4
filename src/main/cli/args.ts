/**
 * The command line's options: each declared once here (its flag and whether it takes a value), named by
 * the commands that take it, and the checks that turn what was typed into values (one line each when bad).
 */
import { readFile } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { z } from 'zod'
import { DifficultySchema, DomainSchema, parseNumberedList, PERMISSION_PRESETS, type Difficulty } from '../../shared/runs'
import { UsageError } from './common'

/** What commander hands a command: every option any command takes (each command declares its own). */
export interface Opts {
  json?: boolean
  port?: string
  project?: string
  task?: string
  variations?: string
  concurrency?: string
  maxTurns?: string
  model?: string
  mergeModel?: string
  via?: string
  claude?: string
  preset?: string
  allowDomain?: string[]
  myClaudeSettings?: boolean
  file?: string
  against?: string
  repeats?: string
  /** optimize: rounds after the version's own description */
  rounds?: string
  budget?: string
  /** verify's --version: a version of the skill (elsewhere --version is this program's) */
  skillVersion?: string
  dryRun?: boolean
  acceptFlagged?: boolean
  estimate?: boolean
  mobile?: boolean
  mix?: string
  out?: string
  folds?: string
  grade?: string
  /** candidates: how many to build, the versions to verify, their skill, the cost cap */
  n?: string
  versions?: string
  skill?: string
  /** confirm: bad variations re-run per rule, and the most runs (--max-runs) */
  perRule?: string
  maxRuns?: string
  cap?: string
  help?: boolean
  /** this program's version (-v, --version) */
  version?: boolean
}

/** Each option's flags, as commander reads them (`<x>`: it takes a value, which may start with '-'). */
export const OPTIONS = {
  json: '--json',
  port: '--port <n>',
  project: '--project <id>',
  task: '--task <file>',
  variations: '--variations <file>',
  concurrency: '--concurrency <n>',
  maxTurns: '--max-turns <n>',
  model: '--model <m>',
  mergeModel: '--merge-model <m>',
  via: '--via <api|claude-cli>',
  claude: '--claude <path>',
  preset: '--preset <preset>',
  allowDomain: '--allow-domain <host>',
  myClaudeSettings: '--my-claude-settings',
  file: '--file <file>',
  against: '--against <none|n>',
  repeats: '--repeats <n>',
  rounds: '--rounds <n>',
  budget: '--budget <usd>',
  dryRun: '--dry-run',
  acceptFlagged: '--accept-flagged',
  estimate: '--estimate',
  mobile: '--mobile',
  mix: '--mix <E,N,H,A>',
  out: '--out <file>',
  folds: '--folds <n>',
  grade: '--grade <person|auto|assist>',
  n: '--n <n>',
  versions: '--versions <list>',
  skill: '--skill <skill>',
  cap: '--cap <usd>',
  perRule: '--per-rule <n>',
  maxRuns: '--max-runs <n>'
} as const
export type OptionName = keyof typeof OPTIONS

/** A whole number in a range, or undefined when not given. */
export function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, not ${v}`)
  return n
}

export function via(o: Opts): 'api' | 'claude-cli' | undefined {
  if (o.via !== undefined && o.via !== 'api' && o.via !== 'claude-cli') throw new UsageError(`--via takes api or claude-cli, not ${o.via}`)
  return o.via
}

export function preset(o: Opts): (typeof PERMISSION_PRESETS)[number] | undefined {
  if (o.preset === undefined || (PERMISSION_PRESETS as readonly string[]).includes(o.preset))
    return o.preset as (typeof PERMISSION_PRESETS)[number] | undefined
  throw new UsageError(`--preset takes ${PERMISSION_PRESETS.join(', ')}, not ${o.preset}`)
}

export function allowDomains(o: Opts): string[] | undefined {
  return o.allowDomain?.map((d) => {
    if ((o.preset ?? 'sandboxed') !== 'sandboxed')
      throw new UsageError('--allow-domain applies to --preset sandboxed only (the other presets do not limit the network)')
    const r = DomainSchema.safeParse(d)
    if (!r.success) throw new UsageError(`--allow-domain takes a host such as example.com, *.example.com or db.example.com:5432, not ${d}`)
    return r.data
  })
}

/** A path to claude is this shell's (the running app this may go through has its own working folder). */
export const claudePath = (o: Opts) => (o.claude && /[\\/]/.test(o.claude) ? resolve(o.claude) : o.claude)

export async function readTaskFile(file: string): Promise<{ name: string; text: string; templateDir?: string }> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read --task ${file}: ${e.code ?? e.message}`)
  })
  if (file.endsWith('.json')) {
    let v: { name?: unknown; text?: unknown; templateDir?: unknown }
    try {
      v = JSON.parse(text)
    } catch {
      throw new UsageError(`--task ${file} is not valid JSON`)
    }
    if (typeof v.text !== 'string' || !v.text.trim()) throw new UsageError(`--task ${file} needs a "text"`)
    return {
      name: typeof v.name === 'string' && v.name ? v.name : basename(file, '.json'),
      text: v.text,
      templateDir: typeof v.templateDir === 'string' ? resolve(dirname(file), v.templateDir) : undefined
    }
  }
  return { name: basename(file).replace(/\.[^.]+$/, ''), text }
}

export async function readVariationsFile(file: string): Promise<{ difficulty: Difficulty; prompt: string; nearMiss?: boolean }[]> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read --variations ${file}: ${e.code ?? e.message}`)
  })
  if (file.endsWith('.json')) {
    let v: unknown
    try {
      v = JSON.parse(text)
    } catch {
      throw new UsageError(`--variations ${file} is not valid JSON`)
    }
    const parsed = z
      .array(z.object({ difficulty: DifficultySchema.default('normal'), prompt: z.string().min(1), nearMiss: z.boolean().optional() }))
      .min(1)
      .safeParse(v)
    if (!parsed.success)
      throw new UsageError(
        `--variations ${file}: expected [{"difficulty", "prompt", "nearMiss"?}] (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`
      )
    return parsed.data
  }
  const { items, errors } = parseNumberedList(text)
  if (errors.length) throw new UsageError(`--variations ${file}: ${errors[0]}`)
  return items
}
