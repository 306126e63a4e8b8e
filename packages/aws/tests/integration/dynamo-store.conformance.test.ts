import { describeMessageStoreConformance } from '@rez/core/testing';
import { createDocumentClient, DynamoMessageStore } from '../../src';
import { createMessagesTable, dynamoClient } from './peers';

// The shared MessageStore contract, on dynalite speaking the DynamoDB wire protocol; a fresh table per test.
const client = dynamoClient();
const documents = createDocumentClient(client);
afterAll(() => client.destroy());

describeMessageStoreConformance('DynamoDB on dynalite', async () => {
  const table = await createMessagesTable(client);
  return {
    store: new DynamoMessageStore({ client: documents, tableName: table.tableName, stage: 'dev' }),
    close: table.drop,
  };
});
