import { describeNtfyContract } from '@rez/core/testing';
import { startRealNtfy } from './support/ntfy-peer';

const unavailable = process.env.REZ_NTFY_UNAVAILABLE;

if (unavailable) {
  describe.skip(`ntfy contract: the real ntfy — NOT RUN: ${unavailable}`, () => {
    it('needs the real ntfy', () => {});
  });
} else {
  describeNtfyContract('the real ntfy', async (limits) => {
    const ntfy = await startRealNtfy({ limits });
    return { url: ntfy.url, tokens: ntfy.tokens, close: ntfy.stop };
  });
}
