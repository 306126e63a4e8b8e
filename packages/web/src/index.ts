/** The Rez ops console: build it with buildApp, listen locally with startConsole, or wrap it for an ALB. */
export { BODY_LIMIT, buildApp } from './app';
export type { ConsoleUser, Identity } from './auth/identity';
export {
  type AuthConfig,
  type ConsoleConfig,
  type ConsoleDeps,
  type MetricsSource,
  type OidcMetadata,
  type ProviderConfig,
  readConsoleConfig,
  readSessionKeys,
  storeMetrics,
} from './deps';
export { LoginError, NotAllowedError } from './errors';
export { type AlbHandler, createAlbHandler } from './lambda-handler';
export { type ListenOptions, startConsole } from './server';
