import { describeNtfyContract, startNtfyServer } from '@rez/core/testing';

// The same suite runs against the real ntfy in `npm run test:peers` (test/peers/ntfy-contract.peer.ts).
describeNtfyContract('our test server (packages/core/testing/ntfy-server.ts)', async (limits) => {
  const tokens = { readWrite: 'tk_contract_read_write', writeOnly: 'tk_contract_write_only' };
  const server = await startNtfyServer({
    auth: { tokens: { [tokens.readWrite]: 'read-write', [tokens.writeOnly]: 'write-only' } },
    limits,
  });
  return { url: server.url, tokens, close: server.close };
});
