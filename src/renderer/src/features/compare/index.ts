/**
 * Compare two runs or the good group against the bad (CompareView: PairCompare, GroupCompare), their
 * screenshots (Screens; side by side, overlay and difference in shots.tsx) and the metrics table's rows.
 */
export { CompareView } from './CompareView'
export { SyncedPanes } from './shots'
