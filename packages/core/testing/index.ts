/** Test support for Rez adapters and handlers: fakes of our own ports and the conformance suites. */
export { RecordingNotifier, RecordingPublisher, sampleMessage } from './fixtures';
export { InMemoryPushStateStore } from './memory-push-state';
export { InMemoryUserScheduleStore, RecordingScheduler } from './memory-schedules';
export { bucketStart, InMemoryMessageStore } from './memory-store';
export { describeNtfyContract, type NtfyLimits, type NtfyUnderTest } from './ntfy-contract';
export { type NtfyReply, type NtfyTestServer, type ReceivedPush, startNtfyServer } from './ntfy-server';
export { describePushStateStoreConformance } from './push-state-conformance';
export { describeQueueConformance, type QueueUnderTest, receiveAtLeast } from './queue-conformance';
export { describeUserScheduleStoreConformance, sampleUserSchedule } from './schedule-store-conformance';
export { BAD_CURSORS, describeMessageStoreConformance } from './store-conformance';
