import { describeUserScheduleStoreConformance } from '@rez/core/testing';
import { createDocumentClient, DynamoUserScheduleStore } from '../../src';
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
