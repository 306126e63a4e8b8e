/**
 * Starts moto once for the whole peer run (its endpoint goes to the test
 * workers as REZ_TEST_MOTO_ENDPOINT) and finds the real ntfy binary (as
 * REZ_NTFY_BIN; the contract suite starts servers of its own, a fresh one per
 * rate-limit test). Both must have been built by `npm run peers:build`, which
 * `npm run test:peers` runs first. Where REZ_PEERS_OPTIONAL names ntfy and
 * there is none, REZ_NTFY_UNAVAILABLE says why and its contract run is skipped.
 */
import { startMoto } from './support/moto-peer';
import { findNtfyBinary, NTFY_VERSION } from './support/ntfy-peer';

export default async function globalSetup(): Promise<void> {
  const optional = new Set((process.env.REZ_PEERS_OPTIONAL ?? '').split(',').map((s) => s.trim()));
  const ntfy = findNtfyBinary();
  if (ntfy) {
    process.env.REZ_NTFY_BIN = ntfy;
  } else if (optional.has('ntfy')) {
    process.env.REZ_NTFY_UNAVAILABLE = `no ntfy ${NTFY_VERSION} binary: \`npm run peers:build\` could not build it`;
    process.stderr.write(
      `\npeers: the real ntfy is NOT AVAILABLE; its contract run is skipped (REZ_PEERS_OPTIONAL=ntfy)\n`,
    );
  } else {
    throw new Error(`no ntfy ${NTFY_VERSION} binary: run \`npm run peers:build\`, or set REZ_NTFY_BIN`);
  }
  const moto = await startMoto();
  process.env.REZ_TEST_MOTO_ENDPOINT = moto.endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  (globalThis as { __REZ_MOTO__?: { stop(): Promise<void> } }).__REZ_MOTO__ = moto;
}
