/**
 * A data folder from before (one store.json) moved to one document per aggregate, on the first start
 * of a writer: read record by record and split (./migrate.ts), every document written first and the
 * index last (until the index is written, the next start migrates again), then store.json kept as
 * store.json.backup-<time>. A read-only open migrates in memory only and writes nothing.
 */
import { mkdir, rename } from 'node:fs/promises'
import type { Notice } from '../../shared/contract'
import type { Collection, StoreContext } from './collection'
import type { Collections } from './collections'
import { kindOf, readDocument, reportSetAside, stamp, type JsonDocument } from './document'
import { emptyLegacy, LEGACY_SCHEMA, LEGACY_SPEC, splitLegacy, type LegacyData, type Migrated } from './migrate'
import type { SessionsData } from './schema'

/** The old store.json, read record by record and split into the new documents. */
export async function readLegacy(legacyFile: string, readOnly: boolean, notices: Notice[]): Promise<Migrated> {
  const old = await readDocument<LegacyData>(legacyFile, LEGACY_SPEC, emptyLegacy, 'store', readOnly, LEGACY_SCHEMA)
  notices.push(...old.notices)
  const migrated = splitLegacy(old.data ?? emptyLegacy())
  if (migrated.setAside.length && !readOnly) {
    notices.push(await reportSetAside(legacyFile, migrated.setAside, 'store (while moving it to the new layout)', readOnly))
  }
  return migrated
}

/** The migrated documents into their collections (in memory only when read-only), and the sessions document. */
export async function writeMigrated(
  migrated: Migrated,
  c: Collections,
  sessionsDoc: JsonDocument<SessionsData>,
  ctx: StoreContext
): Promise<void> {
  const all = [
    ...migrated.batches.map((d) => [c.batches, d.batch.id, d] as const),
    ...migrated.analyses.map((d) => [c.analyses, d.analysis.id, d] as const),
    ...migrated.skills.map((d) => [c.skills, d.skill.id, d] as const),
    ...migrated.operations.map((d) => [c.operations, d.operation.id, d] as const)
  ]
  if (ctx.readOnly) for (const [coll, id, d] of all) (coll as Collection<object, unknown>).preload(id, d)
  else {
    // Every document first, the index last: until the index is written, the next start migrates again.
    for (const coll of [c.batches, c.analyses, c.skills, c.operations]) await mkdir(coll.dir, { recursive: true })
    for (const [coll, id, d] of all) await ctx.writeFile((coll as Collection<object, unknown>).fileOf(id), JSON.stringify(d, null, 1))
    await sessionsDoc.save()
  }
}

/** Once the index is written: store.json (migrated now, or by a start that stopped before it could move it) kept as a backup. */
export async function keepLegacyBackup(legacyFile: string, storeDir: string, notices: Notice[]): Promise<void> {
  if ((await kindOf(legacyFile)) === 'none') return
  const backup = `${legacyFile}.backup-${stamp()}`
  await rename(legacyFile, backup)
  notices.push({
    level: 'info',
    message: `The store was moved to one file per batch, analysis and skill (${storeDir}).`,
    detail: `The old store.json is kept as ${backup}; it is no longer read.`
  })
}
