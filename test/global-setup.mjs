// Starts the real peers the tests talk to, once per Jest run, on 127.0.0.1.
// Each module in ./setup exports `start()` → { env, stop }; the env it returns
// (endpoints, ports) is set on process.env, which the test workers inherit.
// Plain .mjs so that ESM-only peers (fauxqs, oidc-provider) load through a
// real dynamic import.
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = fileURLToPath(new URL('./setup/', import.meta.url));

export default async function globalSetup() {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.mjs')).sort();
  const started = await Promise.all(
    files.map(async (file) => (await import(pathToFileURL(dir + file).href)).start()),
  );
  globalThis.__REZ_PEERS__ = started;
  for (const peer of started) Object.assign(process.env, peer.env);
}
