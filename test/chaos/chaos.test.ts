import path from 'node:path';
import { runNode } from '../support/run-node';

const root = path.resolve(__dirname, '../..');

/** Runs `node bench/chaos.mjs` with `args`; resolves with its exit code and output. */
const runChaos = (args: string[]) =>
  runNode(path.join(root, 'bench/chaos.mjs'), args, { cwd: root, timeoutMs: 235_000 });

/** The value of a `name: n` summary line, or undefined when the line is missing. */
function figure(output: string, name: string): number | undefined {
  const match = new RegExp(`^${name}: (\\d+)$`, 'm').exec(output);
  return match ? Number(match[1]) : undefined;
}

describe('Script: bench/chaos.mjs (fault-injection run)', () => {
  it('delivers 1,000 messages exactly once through 5xx, 429, stalls and 2 SIGKILLs; poison ends in the DLQ', async () => {
    // Act
    const { code, stdout, stderr } = await runChaos([
      '--messages',
      '1000',
      '--kills',
      '2',
      '--timeout',
      '200',
    ]);

    // Assess: the summary lines are there, and they say nothing was lost or repeated.
    const summary = stdout
      .split('\n')
      .filter((line) => line.startsWith('chaos:') && !line.startsWith('chaos: data'))
      .join('\n');
    const context = `${summary}\n${stderr.slice(-2000)}`;
    // What failed, as the run names it (or how it ended, when it named nothing): a failed
    // comparison of the figures below would show only the first lines of the context.
    const named = summary.split('\n').filter((line) => /^chaos: (FAILED|…)/.test(line));
    const failed = named.length || code === 0 ? named : context.split('\n').slice(-20);
    expect({ failed, code }).toEqual({ failed: [], code: 0 });
    const poison = 20; // 2% of 1,000
    expect({ context, delivered: figure(stdout, 'delivered') }).toEqual({
      context,
      delivered: 1000 - poison,
    });
    expect({ context, lost: figure(stdout, 'lost') }).toEqual({ context, lost: 0 });
    expect({ context, duplicates: figure(stdout, 'duplicates') }).toEqual({ context, duplicates: 0 });
    expect({ context, deadLettered: figure(stdout, 'dead-lettered') }).toEqual({
      context,
      deadLettered: poison,
    });
  }, 240_000);
});
