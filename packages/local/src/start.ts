/**
 * `npm start`: Rez Agent on this machine. Prints where data lives, where
 * pushes go and how to subscribe, then `rez: ready`. Ctrl-C / SIGTERM stop
 * it cleanly: batches in flight finish (bounded), the rest is received
 * again at the next start.
 */
import path from 'node:path';
import { RezError } from '@rez/core';
import { TOPIC_FILE } from './config';
import { startLocalRuntime } from './runtime';
import { oneLine } from './terminal';

async function main(): Promise<void> {
  const rez = await startLocalRuntime();
  const { config } = rez;
  const { baseUrl, topic, topicSource } = config.ntfy;
  const say = (line: string) => console.log(`rez: ${oneLine(line)}`);
  say(
    `data in ${config.dataDir} (SQLite ${path.basename(config.dbFile)}, WAL, synchronous=${config.synchronous})`,
  );
  for (const warning of config.warnings) say(`warning: ${warning}`);
  say(`stage ${config.stage}; delivering pushes to ${baseUrl}, topic ${topic}`);
  if (topicSource === 'generated')
    say(
      `no NTFY_TOPIC set: generated this random topic and kept it in ${path.join(config.dataDir, TOPIC_FILE)}`,
    );
  else if (topicSource === 'data-dir')
    say(`topic read from ${path.join(config.dataDir, TOPIC_FILE)} (set NTFY_TOPIC to change it)`);
  say(
    `subscribe: open ${baseUrl}/${topic} in a browser, or in the ntfy app tap "+" → Subscribe to topic → "${topic}"`,
  );
  if (baseUrl !== 'https://ntfy.sh') say(`  (in the app, tick "Use another server" and enter ${baseUrl})`);
  say(`console: ${rez.consoleUrl ?? 'not running'}`);
  if (rez.consoleAccount)
    say(
      `  sign in with the development account ${rez.consoleAccount.email} / ${rez.consoleAccount.password} (set OAUTH_ISSUER to use a real one)`,
    );
  for (const s of rez.scheduler.list())
    say(`schedule ${s.name}: ${s.expression} ${s.timezone}, next run ${s.nextRun?.toISOString() ?? 'never'}`);
  say('try: npm run rez -- schedule run hello-world   ·   npm run rez -- send notify --message "hi"');
  say('ready');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping (finishing batches in flight)…`);
    rez.stop().then(
      () => {
        say('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`rez: stop failed: ${oneLine(describe(error))}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** One line that names the problem: ours name the variable or the file, and what would be valid. */
function describe(error: unknown): string {
  if (error instanceof RezError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

main().catch((error: unknown) => {
  console.error(`rez: cannot start: ${oneLine(describe(error))}`);
  // The stack is for a bug, not for bad input: only on request.
  if (process.env.REZ_DEBUG && error instanceof Error && error.stack) console.error(error.stack);
  process.exit(1);
});
