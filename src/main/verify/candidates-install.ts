/**
 * What a run of a candidates verification installs: its candidate's version (arm 'with'), or nothing
 * (arm 'without'); and the record of what each candidate installs. Called by ./install.ts's
 * `filesForSlot` and `installedBy`. Electron-free.
 */
import type { ExportFile } from '../skills/export'
import type { Verification } from '../../shared/verify'
import type { VerifyContext } from './context'
import { fileRecords, filesOf } from './install'
import type { Slot } from './plan'

/** The version of candidate `i`, or an error naming it when it is gone. */
export async function candidateVersion(ctx: Pick<VerifyContext, 'store'>, v: Verification, i: number) {
  const c = v.candidates?.[i]
  if (!c) throw new Error(`this run's candidate (${i + 1}) is not one of the verification's`)
  const version = await ctx.store.skills.version(c.id)
  if (!version) throw new Error(`the skill version this run needs is gone (version ${c.number})`)
  return version
}

export async function candidateFiles(ctx: Pick<VerifyContext, 'store'>, v: Verification, slot: Slot): Promise<ExportFile[] | null> {
  if (slot.arm === 'without') return null
  if (slot.candidate === undefined) throw new Error("a candidates verification's run with a skill names no candidate")
  return filesOf(await candidateVersion(ctx, v, slot.candidate))
}

export async function candidatesInstalled(
  ctx: Pick<VerifyContext, 'store'>,
  v: Verification
): Promise<NonNullable<Verification['installed']>> {
  const out: NonNullable<Verification['installed']> = []
  for (const [i, c] of (v.candidates ?? []).entries()) {
    const version = await candidateVersion(ctx, v, i)
    out.push({ arm: 'with', candidate: i, versionId: version.id, name: c.name, files: fileRecords(filesOf(version)) })
  }
  return out
}
