/**
 * The best of several candidates (issue 22): the setup (existing versions of a skill, or N built from
 * a graded batch; variations, repeats, grading, the estimate and its cap) and the page of a candidates
 * verification (building, runs, blind grading, the table and the suggestion, promote).
 */
export { CandidatesSetup } from './CandidatesSetup'
export { CandidatesPage } from './CandidatesPage'
