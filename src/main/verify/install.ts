/**
 * The skill each arm of a verification runs with, installed as a real project skill in the run's
 * folder (`.claude/skills/<name>/`, as an export writes it) and taken out again once the run has ended;
 * and the blind names of a verification's run folders. `runOptions` is what the runner is
 * given when a verification's batch starts. Electron-free.
 */
import { createHash } from 'node:crypto'
import { lstat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Batch, Run } from '../../shared/runs'
import { versionReferences } from '../../shared/skill-references'
import type { SkillVersion } from '../../shared/skills'
import { armLabel, type Arm, type Verification } from '../../shared/verify'
import { errorFields } from '../log/log'
import type { BatchStartOptions, RunPreparer } from '../runs/runner'
import { blindFolderName } from '../base/workspace'
import { removeEmptyDirInside, removeInside, skillFiles, writeInside, type ExportFile } from '../skills/export'
import { candidateFiles, candidatesInstalled } from './candidates-install'
import { confirmFiles, confirmInstalled } from './confirm/files'
import { nameOf, verificationOf, type VerifyContext } from './context'
import type { Slot } from './plan'

/** The files of the skill an arm runs with (none for no skill), as an export writes them. */
export const filesOf = (version: SkillVersion): ExportFile[] =>
  skillFiles({
    name: nameOf(version),
    skillMd: version.skillMd,
    // every reference file it stored (one saved before topics: its edge-cases.md, when it had edge cases)
    references: versionReferences(version),
    agents: [],
    // the scripts the version exports (kept with it), as an export writes them
    scripts: version.scripts ?? []
  })

/** The version an arm runs with: the one verified, the one it is compared against, or none. */
export const versionOfArm = async (ctx: Pick<VerifyContext, 'store'>, v: Verification, arm: Arm) =>
  arm === 'with'
    ? ((await ctx.store.skills.version(v.version.id)) ?? null)
    : v.against
      ? ((await ctx.store.skills.version(v.against.id)) ?? null)
      : null

/**
 * The files a run of a verification installs in its folder (null: no skill), by the verification's
 * kind: 'compare' (absent too), the version of the run's arm; 'candidates', the run's candidate;
 * 'confirm', the version with only the run's rule of those under test (./confirm/files.ts).
 * Throws when the version the run needs is gone.
 */
export async function filesForSlot(ctx: Pick<VerifyContext, 'store'>, v: Verification, slot: Slot): Promise<ExportFile[] | null> {
  if (v.kind === 'candidates') return candidateFiles(ctx, v, slot)
  if (v.kind === 'confirm') return confirmFiles(ctx, v, slot)
  const version = await versionOfArm(ctx, v, slot.arm)
  if ((slot.arm === 'with' || v.against) && !version) throw new Error(`the skill version this run needs is gone (${armLabel(v, slot.arm)})`)
  return version ? filesOf(version) : null
}

/** The bytes and hash of each file, as the verification records what it installed. */
export const fileRecords = (files: ExportFile[]) =>
  files.map((f) => ({ path: f.path, bytes: Buffer.byteLength(f.content), sha256: createHash('sha256').update(f.content).digest('hex') }))

/** What each arm installs, for the verification's record: the version, the folder and each file's size and hash. */
export async function installedBy(ctx: Pick<VerifyContext, 'store'>, v: Verification): Promise<NonNullable<Verification['installed']>> {
  if (v.kind === 'candidates') return candidatesInstalled(ctx, v)
  if (v.kind === 'confirm') return confirmInstalled(ctx, v)
  const out: NonNullable<Verification['installed']> = []
  for (const arm of ['with', 'without'] as const) {
    const version = await versionOfArm(ctx, v, arm)
    if (!version) continue
    out.push({
      arm,
      versionId: version.id,
      name: nameOf(version),
      files: fileRecords(filesOf(version))
    })
  }
  return out
}

/** A real folder (not a link) at `rel` in a run's folder; nothing there (or unreadable) is no folder. */
const isDir = async (root: string, rel: string) => !!(await lstat(join(root, ...rel.split('/'))).catch(() => null))?.isDirectory()

/** The skill folders a verification's runs may hold (the names of both arms' skills): what is taken out of them. */
export const skillNamesOf = (v: Verification) =>
  [
    ...new Set([
      v.skillName,
      ...(v.againstName ? [v.againstName] : []),
      ...(v.candidates ?? []).map((c) => c.name),
      ...(v.installed ?? []).map((i) => i.name)
    ])
  ].filter(Boolean)

/** The skill folder names files install (`.claude/skills/<name>/...`). */
const namesIn = (files: ExportFile[]) => files.flatMap((f) => /^\.claude\/skills\/([^/]+)\//.exec(f.path)?.[1] ?? [])

/**
 * Takes what was installed out of a run's folder: the skills' folders, and `.claude/skills` and
 * `.claude` when empty (the runs of both arms look alike on disk). No link is followed: one the run
 * put on the way is refused, and what it points to stays as it was.
 */
export async function uninstall(workspace: string, names: string[]): Promise<void> {
  for (const name of names) await removeInside(workspace, `.claude/skills/${name}`)
  await removeEmptyDirInside(workspace, '.claude/skills')
  await removeEmptyDirInside(workspace, '.claude')
}

/**
 * Installs the version an arm runs with into the run's workspace, as an export writes it: no link is
 * followed on any segment of `.claude/skills/<name>/...` (a template's `.claude` link refuses the run
 * instead). `cleanup` takes it out again when the run has ended, before its files are read. Runs of
 * batches that are no verification's are left as they are.
 */
export function skillPreparer(ctx: Pick<VerifyContext, 'store' | 'log'>): RunPreparer {
  return async (batch, run, workspace) => {
    const vid = ctx.store.verifications.ofBatch(batch.id)
    if (!vid) return
    const v = await verificationOf(ctx, vid)
    const slot = v.arms[run.id]
    if (!slot) return
    const files = await filesForSlot(ctx, v, slot)
    const names = [...new Set([...skillNamesOf(v), ...namesIn(files ?? [])])]
    // the template's own copy of a skill of that name goes in both arms: each arm has only its own
    const had = { claude: await isDir(workspace, '.claude'), skills: await isDir(workspace, '.claude/skills') }
    // what the install made goes again (a folder the template had stays)
    const cleanup = async () => {
      for (const name of names) await removeInside(workspace, `.claude/skills/${name}`)
      if (!had.skills) await removeEmptyDirInside(workspace, '.claude/skills')
      if (!had.claude) await removeEmptyDirInside(workspace, '.claude')
    }
    try {
      for (const name of names) await removeInside(workspace, `.claude/skills/${name}`)
      if (files) await writeInside(workspace, files)
    } catch (err) {
      await cleanup().catch((e) => ctx.log.warn({ workspace, error: errorFields(e) }, 'a half-installed skill could not be taken out'))
      throw new Error(`the skill could not be installed in the run's folder: ${(err as Error).message}`, { cause: err })
    }
    // neither arm's file list shows a skill: nothing tells the arms apart in the deck
    return { hide: names.map((n) => `.claude/skills/${n}`), cleanup }
  }
}

/** A verification's run folders are never named by its deck's numbers; other batches' keep the runner's names. */
export function blindFolder(ctx: Pick<VerifyContext, 'store'>): (batch: Batch, run: Run) => string | undefined {
  return (batch, run) => (ctx.store.verifications.ofBatch(batch.id) ? blindFolderName(run.sessionId) : undefined)
}

/** What the runner is given when a verification's batch starts (by it, or by a retry from its batch's page); nothing for other batches. */
export function runOptions(ctx: Pick<VerifyContext, 'store' | 'log'>, batchId: string): BatchStartOptions | undefined {
  return ctx.store.verifications.ofBatch(batchId) ? { prepare: skillPreparer(ctx), folderName: blindFolder(ctx) } : undefined
}
