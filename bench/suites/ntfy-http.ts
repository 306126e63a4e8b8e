/**
 * Why the ntfy client uses node:http with a keep-alive agent and not fetch:
 * requests/s of NtfyClient.publish against a local ntfy-protocol server,
 * beside the same JSON POST through Node's global fetch, each with 64 in flight.
 */
import { NtfyClient } from '@rez/core';
import { startNtfyServer } from '@rez/core/testing';

const REQUESTS = 6000;
const IN_FLIGHT = 64;

async function rate(send: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < REQUESTS) await send(next++);
    }),
  );
  return REQUESTS / ((performance.now() - started) / 1000);
}

export async function run({ progress }: { progress: (m: string) => void }) {
  const server = await startNtfyServer();
  const client = new NtfyClient({ baseUrl: server.url, topic: 'bench', maxSockets: IN_FLIGHT });
  try {
    // Warm both paths, then measure.
    await rate((i) => client.publish({ message: `warm ${i}` }));
    const viaFetch = await rate((i) =>
      fetch(`${server.url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic: 'bench', message: `fetch ${i}` }),
      }).then((r) => r.json()),
    );
    progress(`fetch: ${viaFetch.toFixed(0)} req/s`);
    const viaClient = await rate((i) => client.publish({ message: `client ${i}` }));
    progress(`NtfyClient (node:http keep-alive): ${viaClient.toFixed(0)} req/s`);
    return [
      {
        name: `ntfy publish throughput, ${IN_FLIGHT} in flight (server on the same 2 cores)`,
        value: viaClient,
        unit: 'req/s',
        baseline: { name: 'global fetch', value: viaFetch },
        ratio: viaClient / viaFetch,
      },
    ];
  } finally {
    client.close();
    await server.close();
  }
}
