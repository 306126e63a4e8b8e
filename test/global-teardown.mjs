export default async function globalTeardown() {
  await Promise.all((globalThis.__REZ_PEERS__ ?? []).map((peer) => peer.stop()));
}
