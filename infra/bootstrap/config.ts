import * as pulumi from '@pulumi/pulumi';
import { ConfigError, STAGES } from '@rez/core';

/** The bootstrap stack's settings (`pulumi config set <key> …` in infra/bootstrap). */
export interface BootstrapConfig {
  /** OWNER/REPO: the only repository whose workflows may assume the roles. */
  githubRepository: string;
  /** The S3 bucket holding Pulumi state (created before the bootstrap, see infra/README.md). */
  stateBucket: string;
  /** Stages that get a deploy role, a boundary and a secrets key. */
  stages: string[];
  /** The stage pull-request previews run against (read-only). */
  previewStage: string;
  /** An existing GitHub OIDC provider of the account, reused instead of creating one. */
  githubOidcProviderArn: string | undefined;
}

/** Every key the bootstrap reads; any other one in its namespace is a typo and fails. */
export const BOOTSTRAP_KEYS: readonly string[] = [
  'githubRepository',
  'stateBucket',
  'stages',
  'previewStage',
  'githubOidcProviderArn',
];

/** Reads and checks the bootstrap config; errors name the key. */
export function loadBootstrapConfig(): BootstrapConfig {
  const namespace = pulumi.getProject();
  const config = new pulumi.Config();
  const key = (name: string) => `${namespace}:${name}`;
  for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
    const [ns, name] = fullKey.split(':');
    if (ns === namespace && !BOOTSTRAP_KEYS.includes(name)) {
      throw new ConfigError(
        fullKey,
        `is not a setting the bootstrap reads (known: ${BOOTSTRAP_KEYS.join(', ')})`,
      );
    }
  }
  const required = (name: string) => {
    const value = config.get(name)?.trim();
    if (!value) throw new ConfigError(key(name), `is required: pulumi config set ${name} <value>`);
    return value;
  };

  const githubRepository = required('githubRepository');
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(githubRepository)) {
    throw new ConfigError(key('githubRepository'), `must be OWNER/REPO, got "${githubRepository}"`);
  }
  const stateBucket = required('stateBucket');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(stateBucket)) {
    throw new ConfigError(key('stateBucket'), `must be an S3 bucket name, got "${stateBucket}"`);
  }
  const stages = config.getObject<unknown>('stages') ?? ['dev', 'prod'];
  if (
    !Array.isArray(stages) ||
    stages.length === 0 ||
    !stages.every((s) => typeof s === 'string' && (STAGES as readonly string[]).includes(s)) ||
    new Set(stages).size !== stages.length
  ) {
    throw new ConfigError(key('stages'), `must be a list of distinct stages from ${STAGES.join(', ')}`);
  }
  const previewStage = config.get('previewStage') ?? 'dev';
  if (!stages.includes(previewStage)) {
    throw new ConfigError(
      key('previewStage'),
      `must be one of the stages (${stages.join(', ')}), got "${previewStage}"`,
    );
  }
  const githubOidcProviderArn = config.get('githubOidcProviderArn');
  if (
    githubOidcProviderArn !== undefined &&
    !/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(
      githubOidcProviderArn,
    )
  ) {
    throw new ConfigError(
      key('githubOidcProviderArn'),
      `must be the ARN of the account's token.actions.githubusercontent.com provider, got "${githubOidcProviderArn}"`,
    );
  }
  return { githubRepository, stateBucket, stages: stages as string[], previewStage, githubOidcProviderArn };
}
