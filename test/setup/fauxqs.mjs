// fauxqs (SNS + SQS emulator) for the AWS bus adapter tests. We build the
// app ourselves instead of calling startFauxqs(), because startFauxqs binds to
// 0.0.0.0 and the tests must only listen on loopback. Without a `host` option
// fauxqs builds queue URLs from the request's Host header, so every queue URL
// is http://127.0.0.1:<port>/000000000000/<name> — the same shape
// queueUrlFromArn derives from a configured endpoint.
import { buildApp } from 'fauxqs';

export async function start() {
  const app = buildApp({ logger: false, defaultRegion: 'us-east-1' });
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
