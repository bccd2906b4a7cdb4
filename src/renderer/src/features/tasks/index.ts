/** Step 1: tasks, their variations, and running them as a batch (BatchSettings, on the shared run-settings form). */
export { TaskList } from './TaskList'
export { TaskPage } from './TaskPage'
