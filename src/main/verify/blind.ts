/**
 * Blind grading stays blind. A verification's runs are graded without knowing which had the skill;
 * until every one of them is graded, nothing the app, the web API or the CLI gives out may tie a deck
 * number to its arm: not its session (the trace shows the `Skill` call), not its numbers (turns, cost,
 * duration: the skill is one more turn), not its folder. So, while a verification is blind:
 * - its runs are given out without their session, project, folder, times and numbers (`run`), and the
 *   verification without its arms (`verification`);
 * - the folders its runs worked in, and their sessions, are not listed, searched or opened
 *   (`ofProject`, `ofSession`, `refuse`);
 * - its runs' folders are not named by deck number (`folderName`).
 * Once the last run is graded, all of it is there as for any other batch. Whether a verification is
 * blind is read from its batch's document, which the store keeps in memory once read (`init` reads
 * them at start), so checking costs no read. Electron-free.
 */
import { realpathSync } from 'node:fs'
import { isAbsolute, join, resolve, sep } from 'node:path'
import { fail } from '../../shared/contract'
import { emptyProgress, isFinished, type Run } from '../../shared/runs'
import type { Verification } from '../../shared/verify'
import { isInside } from '../base/paths'
import type { Store } from '../store/store'

/** How Claude Code names the folder of a working directory's sessions (projects/<name>): every character not a letter or digit is '-', cut at 200. */
const projectName = (cwd: string) => cwd.replace(/[^a-zA-Z0-9]/g, '-')
const CLAUDE_NAME_MAX = 200

export type Blindness = ReturnType<typeof createBlindness>

export function createBlindness(store: Store) {
  // the data folder as given and with its links resolved: Claude Code records the real working directory
  let real: string | undefined
  try {
    real = realpathSync(store.dataDir)
  } catch {
    // not made yet (nothing in it to resolve): the folder as given is the one the runs will use
    real = undefined
  }
  const dataDirs = [...new Set([resolve(store.dataDir), ...(real ? [real] : [])])]

  /** A verification's runs graded so far, and how many there are (its batch's document is in memory: see `init`). */
  const counts = (batchId: string): { graded: number; runs: number } | undefined => {
    const doc = store.batches.peek(batchId)?.data
    if (!doc) return undefined
    const runs = store.batches.runsOf(doc)
    return { graded: runs.filter((r) => isFinished(r.state) && !!r.feedback?.label).length, runs: runs.length }
  }

  /** The verification whose runs are this batch's, while not every one of them is graded. */
  const verificationOf = (batchId: string): string | undefined => {
    const vid = store.verifications.ofBatch(batchId)
    if (!vid || !store.batches.has(batchId)) return undefined
    const c = counts(batchId)
    // not read yet (init reads them all): blind until it is known
    return !c || c.graded < c.runs ? vid : undefined
  }

  /** The batches of the verifications that are blind now. */
  const batches = (): string[] =>
    store.verifications.ids().flatMap((id) => {
      const b = store.verifications.head(id)?.batchId
      return b && verificationOf(b) ? [b] : []
    })

  /** Where a blind batch's runs work: <data>/workspaces/<batch> (as given, and with links resolved). */
  const folders = (batchId: string) => dataDirs.map((d) => join(d, 'workspaces', batchId))

  /** The blind batch a folder of Claude Code sessions belongs to (by its working directory, or by its name). */
  const ofProject = (p: { id?: string; cwd?: string }): string | undefined => {
    for (const b of batches())
      for (const f of folders(b)) {
        if (p.cwd && isAbsolute(p.cwd) && isInside(p.cwd, f)) return b
        if (p.id && !isAbsolute(p.id)) {
          const prefix = projectName(`${f}${sep}`)
          if (p.id.startsWith(prefix.length > CLAUDE_NAME_MAX ? prefix.slice(0, CLAUDE_NAME_MAX) : prefix)) return b
        }
      }
    return undefined
  }

  /** The blind batch a session belongs to: a blind run's own, or one that worked in (or is kept under) a blind run's folder. */
  const ofSession = (s: { sessionId: string; projectId?: string; cwd?: string }): string | undefined => {
    for (const b of batches()) if (store.batches.head(b)!.runs.some((r) => r.sessionId === s.sessionId)) return b
    return ofProject({ id: s.projectId, cwd: s.cwd })
  }

  /** Why something of a blind batch is refused (`what`: what waits), and when it opens. */
  const message = (
    batchId: string,
    what = "its runs' sessions, folders and numbers would tell which run had the skill, so they open"
  ): string => {
    const c = counts(batchId) ?? { graded: 0, runs: store.batches.head(batchId)?.runs.length ?? 0 }
    return `refused: this belongs to verification ${verificationOf(batchId) ?? ''}, which is being graded blind: ${what} once every one of its ${c.runs} runs is graded (${c.graded} graded so far)`
  }

  return {
    verificationOf,
    /** whether a batch is a blind verification's */
    isBlind: (batchId: string) => !!verificationOf(batchId),
    batches,
    ofProject,
    ofSession,
    message,
    /** Throws the refusal (code `forbidden`). */
    refuse(batchId: string): never {
      throw fail(message(batchId), 'forbidden')
    },
    /** A run as it may be given out: a blind verification's without its session, project, folder, times and numbers. */
    run(r: Run): Run {
      if (r.imported || !verificationOf(r.batchId)) return r
      const { workspace: _w, projectId: _p, startedAt: _s, endedAt: _e, pid: _pid, pidStartedAt: _ps, ...rest } = r
      return { ...rest, sessionId: '', progress: emptyProgress(), blind: true }
    },
    /** A verification as it may be given out: while blind, no arm of any run (nor explanations, which name runs; nor a confirmation's variations per rule). */
    verification(v: Verification): Verification {
      if (!v.batchId || !verificationOf(v.batchId)) return v
      // a confirmation: its rules, without the variations (nor the runs they came from) each re-runs, which would tie a run's prompt to its rule
      const confirm = v.confirm && { ...v.confirm, rules: v.confirm.rules.map((r) => ({ ...r, badRuns: [], fix: [], keep: [] })) }
      return { ...v, arms: {}, explanations: {}, ...(confirm ? { confirm } : {}) }
    },
    counts,
    /**
     * Reads every verification's batch once (the store keeps them in memory after), so whether one is
     * blind is known from its grades without reading anything again; a batch made later is in memory from the start.
     */
    async init(): Promise<void> {
      for (const id of store.verifications.ids()) {
        const b = store.verifications.head(id)?.batchId
        // a batch that cannot be read is reported by the store (a notice) and has no runs to give out
        if (b) await store.batches.get(b).catch(() => undefined)
      }
    }
  }
}
