import { ConfigError } from '@rez/core';
import { startLocalRuntime } from '../../src';
import { tempDir } from '../helpers';

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
