import { describePushStateStoreConformance } from '@rez/core/testing';
import { createDocumentClient, DynamoPushStateStore } from '../../src';
import { createMessagesTable, dynamoClient } from './peers';

// The PushStateStore contract on dynalite, in the messages table beside the messages; a fresh table per test.
const client = dynamoClient();
const documents = createDocumentClient(client);
afterAll(() => client.destroy());

describePushStateStoreConformance('DynamoDB on dynalite', async () => {
  const table = await createMessagesTable(client);
  return {
    store: new DynamoPushStateStore({ client: documents, tableName: table.tableName, stage: 'dev' }),
    close: table.drop,
  };
});
