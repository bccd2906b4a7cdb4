/**
 * Step 5: does the skill make runs better? The setup (SetupForm, its state in useVerifyForm), the
 * verification page (status, blind grading, Report, Pairs, Explain, NextVersion) and the pass rate per
 * version across rounds (Chart).
 */
export { VerifySetup } from './SetupForm'
export { VerificationPage } from './VerificationPage'
export { PassRateChart, VerificationsPanel } from './Chart'
