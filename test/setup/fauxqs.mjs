// fauxqs 1.9.2 (SNS + SQS emulator) for the AWS bus adapter tests.
//
// Two departures from startFauxqs(), both deliberate:
// - startFauxqs binds to 0.0.0.0; the tests must only listen on loopback, so
//   we build the app and listen on 127.0.0.1 ourselves.
// - fauxqs names queues http://sqs.<region>.localhost:<port>/<account>/<name>
//   and looks them up by that exact URL. "sqs.us-east-1.localhost" does not
//   resolve here, and an SQS client that is given its endpoint only through
//   AWS_ENDPOINT_URL_SQS sends each call to the QueueUrl's host (the SDK's
//   useQueueUrlAsEndpoint), so such URLs are unusable. With the store's host
//   cleared, fauxqs uses the request's Host header instead: every queue URL is
//   http://127.0.0.1:<port>/000000000000/<name>, exactly what queueUrlFromArn
//   derives from a configured endpoint. The stores are not exported from the
//   package root, hence the import by path inside the (pinned) package.
import { buildApp } from 'fauxqs';

const dist = import.meta.resolve('fauxqs');
const load = async (path, name) => {
  const module = await import(new URL(path, dist).href);
  if (typeof module[name] !== 'function') {
    throw new Error(
      `fauxqs internals moved: ${path} no longer exports ${name}; update test/setup/fauxqs.mjs`,
    );
  }
  return module[name];
};

export async function start() {
  const [SqsStore, SnsStore, S3Store] = await Promise.all([
    load('./sqs/sqsStore.js', 'SqsStore'),
    load('./sns/snsStore.js', 'SnsStore'),
    load('./s3/s3Store.js', 'S3Store'),
  ]);
  const sqsStore = new SqsStore();
  sqsStore.host = '';
  const app = buildApp({
    logger: false,
    defaultRegion: 'us-east-1',
    stores: { sqsStore, snsStore: new SnsStore(), s3Store: new S3Store() },
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const endpoint = new URL(address).origin;
  return {
    env: {
      REZ_TEST_SQS_ENDPOINT: endpoint,
      REZ_TEST_SNS_ENDPOINT: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
    stop: () => app.close(),
  };
}
