import { describeUserScheduleStoreConformance, sampleUserSchedule } from '@rez/core/testing';
import { createDocumentClient, DynamoUserScheduleRuns, DynamoUserScheduleStore } from '../../src';
import { createMessagesTable, dynamoClient } from './peers';

// The UserScheduleStore contract on dynalite, in the messages table beside the messages; a fresh table per test.
const client = dynamoClient();
const documents = createDocumentClient(client);
afterAll(() => client.destroy());

describeUserScheduleStoreConformance('DynamoDB on dynalite', async () => {
  const table = await createMessagesTable(client);
  return {
    store: new DynamoUserScheduleStore({ client: documents, tableName: table.tableName, stage: 'dev' }),
    close: table.drop,
  };
});

describe('Class: DynamoUserScheduleRuns (the scheduler Lambda’s part) on dynalite', () => {
  it('reads what the console’s store saved and records a run only on the revision it was fired for', async () => {
    const table = await createMessagesTable(client);
    try {
      const options = { client: documents, tableName: table.tableName, stage: 'dev' as const };
      const store = new DynamoUserScheduleStore(options);
      const runs = new DynamoUserScheduleRuns(options);
      const schedule = sampleUserSchedule();
      await store.save(schedule, null);
      await expect(runs.get('standup')).resolves.toEqual(schedule);
      await expect(runs.get('nope')).resolves.toBeNull();
      // Another stage's partition holds none of them.
      await expect(
        new DynamoUserScheduleRuns({ ...options, stage: 'prod' }).get('standup'),
      ).resolves.toBeNull();

      const run = {
        message_id: null,
        at: '2026-03-02T07:00:00.000Z',
        outcome: 'refused',
        reason: 'paused',
        by: 'schedule',
      } as const;
      await expect(runs.recordRun('standup', 'STALE', run)).resolves.toBe(false);
      await expect(runs.recordRun('standup', schedule.revision, run)).resolves.toBe(true);
      await expect(store.get('standup')).resolves.toEqual({ ...schedule, last_run: run });
    } finally {
      await table.drop();
    }
  });
});
