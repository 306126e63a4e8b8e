import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface LambdaHost {
  invoke<R = unknown>(event: unknown): Promise<R>;
  close(): void;
}

/**
 * Starts a built Lambda bundle (packages/<name>/dist/index.js) in its own
 * Node process with `env`, and invokes it like the Lambda runtime does. An
 * init failure (bad config) rejects with the bundle's own error.
 */
export async function startLambdaHost(
  name: 'scheduler' | 'worker' | 'web',
  env: Record<string, string>,
): Promise<LambdaHost> {
  const bundle = path.resolve(__dirname, '../../packages', name, 'dist/index.js');
  if (!existsSync(bundle))
    throw new Error(`${bundle} is missing: run \`npm run build\` (npm test does) first`);
  const child: ChildProcess = fork(path.join(__dirname, 'lambda-child.js'), [bundle], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m: { ready: boolean; error?: { message: string } }) =>
      m.ready ? resolve() : reject(new Error(`${name} bundle failed to start: ${m.error?.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`${name} bundle exited with ${code} during init`)));
  });
  child.on('message', (m: { id: number; result?: unknown; error?: { name: string; message: string } }) => {
    const call = pending.get(m.id);
    if (!call) return;
    pending.delete(m.id);
    if (m.error) call.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
    else call.resolve(m.result);
  });
  return {
    invoke: <R>(event: unknown) =>
      new Promise<R>((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, event });
      }),
    close: () => {
      child.kill();
    },
  };
}
