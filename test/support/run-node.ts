import { run } from '../peers/support/processes';

export interface ProcessOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <script> <args>` without blocking the event loop; resolves with
 * its exit code and output (whatever the code). A process still running after
 * `timeoutMs` (default 20 s) is killed, so a start that should have failed but
 * keeps running fails its test instead of hanging it: its code is then null.
 */
export function runNode(
  script: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<ProcessOutcome> {
  return run(process.execPath, [script, ...args], {
    ...options,
    check: false,
    timeoutMs: options.timeoutMs ?? 20_000,
  });
}
