import { ConfigError } from '@rez/core';
import { runNode } from '../../../../test/support/run-node';
import { readLocalConfig, startLocalRuntime } from '../../src';
import { exited, freePort, START_JS, startRuntimeProcess, tempDir } from '../helpers';

describe('Function: startLocalConsole (through the local runtime)', () => {
  it('refuses the development sign-in for stage prod, naming OAUTH_ISSUER, and leaves nothing running', async () => {
    const data = tempDir();
    try {
      const start = startLocalRuntime({
        env: { REZ_DATA_DIR: data.dir, REZ_STAGE: 'prod', NTFY_TOPIC: 'rez-test', PORT: '3998' },
        log: () => {},
      });
      await expect(start).rejects.toThrow(ConfigError);
      await expect(start).rejects.toThrow('OAUTH_ISSUER is required for stage prod');
      // The database was closed: a second runtime can open the same data dir.
      const again = await startLocalRuntime({
        env: { REZ_DATA_DIR: data.dir, REZ_STAGE: 'prod', NTFY_TOPIC: 'rez-test' },
        console: false,
        scheduler: false,
        poller: false,
        log: () => {},
      });
      await again.stop();
    } finally {
      data.remove();
    }
  });
});

describe('Setting: REZ_DEV_OIDC_PORT (npm start, built)', () => {
  it('puts the development sign-in on that port, so a dev container can forward it', async () => {
    const data = tempDir();
    const oidcPort = await freePort();
    const rez = await startRuntimeProcess({
      REZ_DATA_DIR: data.dir,
      NTFY_TOPIC: 'rez-test',
      REZ_DEV_OIDC_PORT: String(oidcPort),
    });
    try {
      const discovery = await fetch(`http://127.0.0.1:${oidcPort}/.well-known/openid-configuration`);
      expect(discovery.status).toBe(200);
      expect(((await discovery.json()) as { issuer: string }).issuer).toBe(`http://127.0.0.1:${oidcPort}`);
    } finally {
      rez.child.kill('SIGTERM');
      await exited(rez.child);
      data.remove();
    }
  });

  it('names the setting when its port is taken, in one line', async () => {
    const data = tempDir();
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const run = await runNode(START_JS, [], {
        env: {
          ...process.env,
          REZ_DATA_DIR: data.dir,
          NTFY_TOPIC: 'rez-test',
          PORT: String(await freePort()),
          REZ_DEV_OIDC_PORT: String(port),
        },
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `REZ_DEV_OIDC_PORT ${port} is already in use; set REZ_DEV_OIDC_PORT to another port`,
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
      data.remove();
    }
  });

  it.each([
    [{ REZ_DEV_OIDC_PORT: '0' }, 'REZ_DEV_OIDC_PORT must be a whole number from 1 to 65535, got "0"'],
    [{ REZ_DEV_OIDC_PORT: '70000' }, 'REZ_DEV_OIDC_PORT must be a whole number from 1 to 65535'],
    [{ REZ_DEV_OIDC_PORT: '3000', PORT: '3000' }, 'REZ_DEV_OIDC_PORT must differ from PORT (3000)'],
  ])('refuses %j', (env, message) => {
    const data = tempDir();
    try {
      expect(() => readLocalConfig({ REZ_DATA_DIR: data.dir, NTFY_TOPIC: 'rez-test', ...env })).toThrow(
        message,
      );
    } finally {
      data.remove();
    }
  });
});
