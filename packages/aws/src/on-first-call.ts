/**
 * A port whose adapter is opened on its first call: `open` runs once (once
 * more after a failure), and every method waits for it. Each adapter's module
 * is imported by `open` with `import()`, so a bundle built with code splitting
 * keeps it, and the AWS SDK client it pulls in, out of the cold start: a
 * Lambda loads only the clients the events it actually gets need. `methods`
 * names every method of the port (the type checks the list is complete).
 */
export function openedOnFirstCall<T extends object>(
  open: () => Promise<T>,
  methods: Record<keyof T, true>,
): T {
  let opened: Promise<T> | undefined;
  const adapter = () => {
    if (!opened) {
      opened = open().catch((error: unknown) => {
        opened = undefined;
        throw error;
      });
    }
    return opened;
  };
  const port: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(methods)) {
    port[name] = async (...args) => {
      const target = (await adapter()) as Record<string, (...args: unknown[]) => Promise<unknown>>;
      return target[name](...args);
    };
  }
  return port as unknown as T;
}
