/**
 * Step 3: the analysis page (its settings and estimate in useAnalysisForm), an analysis's analysts and
 * merge (AnalysisView, AnalystLine, AnalystRules) and what the analysts read (ContextReportView).
 */
export { AnalyzePage } from './AnalyzePage'
export { ContextReportView } from './ContextReportView'
