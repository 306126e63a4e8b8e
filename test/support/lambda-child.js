// A warm Lambda "container" for tests: loads one bundle once (its cold start),
// then runs each invocation its parent sends over IPC, like the Lambda
// runtime would. Plain Node, outside Jest's module system, so the bundle runs
// exactly as it would on nodejs22.x.
// The bundles are ES modules (dist/package.json says so): import() them, as the runtime does.
const { pathToFileURL } = require('node:url');
const bundle = process.argv[2];
const loaded = import(pathToFileURL(bundle).href).then(
  ({ handler }) => {
    if (typeof handler !== 'function') throw new Error(`${bundle} does not export a handler function`);
    process.send({ ready: true });
    return handler;
  },
  (error) => {
    process.send({ ready: false, error: { name: error.name, message: error.message } });
    process.exit(1);
  },
);
process.on('message', async ({ id, event }) => {
  const handler = await loaded;
  const context = { awsRequestId: `req-${id}`, functionName: 'test', getRemainingTimeInMillis: () => 30_000 };
  try {
    process.send({ id, result: await handler(event, context) });
  } catch (error) {
    process.send({ id, error: { name: error.name, message: error.message } });
  }
});
