import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  BOOTSTRAP_IAM_PATH,
  boundaryPolicyName,
  deployRoleName,
  PREVIEW_ROLE_NAME,
  secretsKeyAlias,
  stagePrefix,
} from '../naming';
import type { BootstrapConfig } from './config';
import {
  type AccountScope,
  boundaryPolicy,
  deployPolicies,
  GITHUB_OIDC_URL,
  githubTrustPolicy,
  previewPolicy,
} from './policies';

/** What the README's next steps need (`pulumi stack output` in infra/bootstrap). */
export interface BootstrapOutputs {
  /** `s3://<bucket>?region=<region>`: `pulumi login` to it, and the PULUMI_BACKEND_URL repository variable. */
  backendUrl: pulumi.Output<string>;
  /** Per stage: the AWS_DEPLOY_ROLE_ARN of its GitHub environment. */
  deployRoleArns: Record<string, pulumi.Output<string>>;
  /** AWS_DEPLOY_ROLE_ARN of the `preview` environment. */
  previewRoleArn: pulumi.Output<string>;
  /** Per stage: the `--secrets-provider` of `pulumi stack init`. */
  secretsProviders: Record<string, pulumi.Output<string>>;
}

/** Deploys (a CloudFront VPC origin and distribution take a while) may run this long. */
export const DEPLOY_SESSION_SECONDS = 7200;

/**
 * Everything an account needs before the app's first `pulumi up`: the GitHub
 * OIDC provider; per stage a permissions boundary, a KMS key for Pulumi
 * secrets and a deploy role limited to that stage (bootstrap/policies.ts);
 * a read-only role for pull-request previews; and a hardened state bucket.
 */
export function createBootstrap(config: BootstrapConfig): BootstrapOutputs {
  const account = aws.getCallerIdentityOutput();
  const partition = aws.getPartitionOutput();
  const region = aws.getRegionOutput();
  const scope: pulumi.Output<AccountScope> = pulumi
    .all([partition.partition, account.accountId, region.region])
    .apply(([p, accountId, r]) => ({ partition: p, accountId, region: r }));

  const providerArn: pulumi.Input<string> =
    config.githubOidcProviderArn ??
    new aws.iam.OpenIdConnectProvider('github-actions', {
      url: GITHUB_OIDC_URL,
      clientIdLists: ['sts.amazonaws.com'],
    }).arn;

  hardenStateBucket(config.stateBucket);
  const bucket = config.stateBucket;

  const deployRoleArns: Record<string, pulumi.Output<string>> = {};
  const secretsProviders: Record<string, pulumi.Output<string>> = {};
  const secretsKeys: Record<string, aws.kms.Key> = {};
  for (const stage of config.stages) {
    const prefix = stagePrefix(stage);
    const key = new aws.kms.Key(`${prefix}-pulumi-secrets`, {
      description: `Pulumi config secrets of the Rez ${stage} stack`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    new aws.kms.Alias(`${prefix}-pulumi-secrets`, { name: secretsKeyAlias(stage), targetKeyId: key.keyId });
    secretsKeys[stage] = key;
    secretsProviders[stage] = pulumi.interpolate`awskms://${secretsKeyAlias(stage)}?region=${region.region}`;

    const boundary = new aws.iam.Policy(`${prefix}-boundary`, {
      name: boundaryPolicyName(stage),
      path: BOOTSTRAP_IAM_PATH,
      description: `The most any role of the Rez ${stage} stage may do`,
      policy: scope.apply((s) => JSON.stringify(boundaryPolicy(s, stage))),
    });
    const role = new aws.iam.Role(`${prefix}-deploy`, {
      name: deployRoleName(stage),
      path: BOOTSTRAP_IAM_PATH,
      description: `GitHub Actions deploys of the Rez ${stage} stack (environment ${stage})`,
      maxSessionDuration: DEPLOY_SESSION_SECONDS,
      assumeRolePolicy: pulumi
        .output(providerArn)
        .apply((arn) => JSON.stringify(githubTrustPolicy(arn, config.githubRepository, stage))),
    });
    const documents = pulumi
      .all([scope, key.arn, boundary.arn])
      .apply(([s, secretsKeyArn, boundaryArn]) =>
        deployPolicies(s, stage, { bucket, secretsKeyArn, boundaryArn }),
      );
    for (const part of ['state', 'serverless', 'iam', 'edge'] as const) {
      const policy = new aws.iam.Policy(`${prefix}-deploy-${part}`, {
        name: `${prefix}-deploy-${part}`,
        path: BOOTSTRAP_IAM_PATH,
        policy: documents.apply((d) => JSON.stringify(d[part])),
      });
      new aws.iam.RolePolicyAttachment(`${prefix}-deploy-${part}`, {
        role: role.name,
        policyArn: policy.arn,
      });
    }
    deployRoleArns[stage] = role.arn;
  }

  const preview = new aws.iam.Role('rez-preview', {
    name: PREVIEW_ROLE_NAME,
    path: BOOTSTRAP_IAM_PATH,
    description: `Pull-request previews of the Rez ${config.previewStage} stack (environment preview)`,
    assumeRolePolicy: pulumi
      .output(providerArn)
      .apply((arn) => JSON.stringify(githubTrustPolicy(arn, config.githubRepository, 'preview'))),
  });
  new aws.iam.RolePolicy('rez-preview', {
    role: preview.name,
    policy: pulumi
      .all([scope, secretsKeys[config.previewStage].arn])
      .apply(([s, secretsKeyArn]) =>
        JSON.stringify(previewPolicy(s, config.previewStage, { bucket, secretsKeyArn })),
      ),
  });

  return {
    backendUrl: pulumi.interpolate`s3://${bucket}?region=${region.region}`,
    deployRoleArns,
    previewRoleArn: preview.arn,
    secretsProviders,
  };
}

/** Versioning (a bad write can be undone), encryption at rest, no public access, TLS only. */
function hardenStateBucket(bucket: string): void {
  new aws.s3.BucketVersioning('state-versioning', {
    bucket,
    versioningConfiguration: { status: 'Enabled' },
  });
  new aws.s3.BucketServerSideEncryptionConfiguration('state-encryption', {
    bucket,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }],
  });
  new aws.s3.BucketPublicAccessBlock('state-public-access', {
    bucket,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  const arn = aws.getPartitionOutput().partition.apply((p) => `arn:${p}:s3:::${bucket}`);
  new aws.s3.BucketPolicy('state-tls-only', {
    bucket,
    policy: arn.apply((bucketArn) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TlsOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    ),
  });
}
