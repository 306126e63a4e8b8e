import {
  describeMessageStoreConformance,
  describePushStateStoreConformance,
  describeUserScheduleStoreConformance,
  InMemoryMessageStore,
  InMemoryPushStateStore,
  InMemoryUserScheduleStore,
} from '@rez/core/testing';

// The reference store must meet the contract it stands in for.
describeMessageStoreConformance('in-memory (reference)', async () => ({ store: new InMemoryMessageStore() }));

describeUserScheduleStoreConformance('in-memory (reference)', async () => ({
  store: new InMemoryUserScheduleStore(),
}));

describePushStateStoreConformance('in-memory (reference)', async () => ({
  store: new InMemoryPushStateStore(),
}));
