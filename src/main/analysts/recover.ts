/**
 * At start-up (the operations' recovery of the 'analysis' kind): analyses a stopped app left running
 * become interrupted, their unfinished analysts can be retried and the finished ones keep their rules;
 * the evidence folders (copies of sessions) they left behind are removed. Electron-free.
 */
import { join } from 'node:path'
import { errorFields } from '../log/log'
import { now, running, type AnalysisContext } from './context'
import { removeStrayEvidence } from './evidence'

export async function recoverAnalyses(ctx: AnalysisContext): Promise<void> {
  const { store } = ctx
  for (const id of store.analyses.ids()) {
    const state = store.analyses.head(id)?.state
    if (state !== 'analysing' && state !== 'merging') continue
    await store.analyses.update(id, ({ analysis: a }) => {
      Object.assign(a, { state: 'interrupted', endedAt: now() })
      // analysts that had not finished can be retried; the finished ones keep their rules
      for (const s of a.analysts)
        if (s.state !== 'done' && s.state !== 'failed') Object.assign(s, { state: 'cancelled', error: 'interrupted: the app stopped' })
    })
  }
  // the evidence folders (copies of sessions) of analyses stopped in the middle, or since deleted: none is live at start-up
  await removeStrayEvidence(
    join(store.dataDir, 'evidence'),
    (id) => !!running(ctx, id),
    (name, e) => ctx.log.warn({ analysisId: name, error: errorFields(e) }, 'an evidence folder left behind could not be removed')
  )
}
