/**
 * The chaos run's child process: packages/local's startLocalRuntime — the
 * same function `npm start` (packages/local/dist/start.js) runs — configured
 * from the environment like start.js, with two differences start.js has no
 * variable for: the retry backoff of failed records is short (0.5 s doubling
 * to 4 s instead of 2^n s up to 5 min), so a poison message reaches the DLQ
 * in about half a minute rather than many minutes; and the scheduler loop is
 * off, so the only traffic is the chaos run's. Prints `rez: ready` like
 * start.js, stops cleanly on SIGTERM; SIGKILL is the point of the exercise.
 */
import { startLocalRuntime } from '@rez/local';

const backoffSeconds = (receiveCount: number) => Math.min(0.25 * 2 ** receiveCount, 4);

async function main(): Promise<void> {
  const rez = await startLocalRuntime({
    scheduler: false,
    console: false,
    backoffSeconds,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write('rez: ready\n');
  process.once('SIGTERM', () => {
    rez.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`rez: stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `rez: cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
