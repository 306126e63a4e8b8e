export { decodeRecordBody, receiveCount } from './decode';
export { createWorkerHandler, type WorkerDeps } from './handler';
export {
  noopMetrics,
  type PipelineEvent,
  type PipelineMetrics,
  silentLogger,
  type WorkerLogger,
} from './observability';
export { type PushSettings, type PushWiring, pushDeps } from './push';
