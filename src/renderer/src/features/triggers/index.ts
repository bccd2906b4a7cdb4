/**
 * Does the skill load? (issue 23): a skill's triggers page (the query set, rivals, measuring the
 * description, optimising it, saving the pick as a version).
 */
export { TriggersPage } from './TriggersPage'
