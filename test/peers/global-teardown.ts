export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __REZ_MOTO__?: { stop(): Promise<void> } }).__REZ_MOTO__?.stop();
}
