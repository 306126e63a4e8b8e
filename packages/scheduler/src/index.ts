export { createSchedulerHandler, type SchedulerDeps, type SchedulerResult } from './handler';
