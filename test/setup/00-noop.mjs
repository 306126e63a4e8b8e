export async function start() {
  return { env: {}, stop: async () => {} };
}
