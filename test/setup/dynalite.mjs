// dynalite (DynamoDB on LevelDB, in memory) for the DynamoDB store tests.
// Table state changes (CREATING → ACTIVE, DELETING) are instant, because
// every store test creates and drops its own table.
import dynalite from 'dynalite';

export async function start() {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    env: {
      REZ_TEST_DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
    // Test workers are gone by teardown, so no keep-alive socket holds close() up.
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
