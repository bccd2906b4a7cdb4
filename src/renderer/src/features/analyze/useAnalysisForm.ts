import { useState } from 'react'
import type { RequestInput } from '@shared/contract'
import { DEFAULT_ANALYST_MODEL } from '@shared/models'
import { useApi, useApiMutation } from '../../data/queries'
import { useDebounced } from '../../lib/hooks'

/**
 * The analysis page's state: the batch, its analyses, the settings of the next one, what they would
 * cost (asked once they stop changing), the analysis shown, and starting one.
 */
export function useAnalysisForm(batchId: string) {
  const batch = useApi('getBatch', { batchId })
  // this batch's analyses, newest first, kept current by analysisProgress (data/cache.ts)
  const past = useApi('listAnalyses', { batchId })
  const skills = useApi('listSkills', {})
  const access = useApi('getModelAccess', {})
  const startAnalysis = useApiMutation('startAnalysis')
  const [chosen, setChosen] = useState<string | null>(null)
  const [via, setVia] = useState<'api' | 'claude-cli'>('api')
  const [model, setModel] = useState(DEFAULT_ANALYST_MODEL)
  const [mergeModel, setMergeModel] = useState('')
  const [deepen, setDeepen] = useState('')
  const [pasted, setPasted] = useState<string | null>(null)
  const [mobile, setMobile] = useState(false)
  const gradedCount = batch.data?.runs.filter((r) => r.feedback?.label).length ?? 0
  const options: RequestInput<'estimateAnalysis'> = {
    batchId,
    via,
    model: model.trim(),
    mergeModel: mergeModel.trim() || undefined,
    deepenSkillId: deepen && deepen !== 'paste' ? deepen : undefined,
    existingSkillMd: deepen === 'paste' && pasted ? pasted : undefined,
    mobile: mobile || undefined
  }
  // what Analyse would cost with these settings, before anything is started (no model is called),
  // asked once the settings have stopped changing
  const settled = useDebounced(JSON.stringify(options), 300)
  const estimateQuery = useApi(
    'estimateAnalysis',
    gradedCount && model.trim() ? (JSON.parse(settled) as RequestInput<'estimateAnalysis'>) : null,
    { keepPrevious: true }
  )
  const estimate = {
    data: gradedCount && model.trim() ? estimateQuery.data : undefined,
    error: estimateQuery.error?.message,
    loading: estimateQuery.isFetching || settled !== JSON.stringify(options)
  }
  const current = past.data?.find((a) => a.id === chosen) ?? past.data?.[0] ?? null
  const start = () => startAnalysis.mutate({ ...options, model }, { onSuccess: (a) => setChosen(a.id) })

  return {
    batch,
    past,
    skills,
    access,
    startAnalysis,
    setChosen,
    via,
    setVia,
    model,
    setModel,
    mergeModel,
    setMergeModel,
    deepen,
    setDeepen,
    pasted,
    setPasted,
    mobile,
    setMobile,
    estimate,
    current,
    start
  }
}
