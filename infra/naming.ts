/**
 * How a stage's AWS resources are named and tagged: the one home of the rule
 * that both the program (which names its resources) and the bootstrap (whose
 * deploy-role policies grant by those names and tags) follow. A stage's deploy
 * role may touch a resource only if it matches these patterns, so a resource
 * named any other way fails its deploy with AccessDenied.
 */

/** The Pulumi project name (Pulumi.yaml `name`). */
export const PROJECT = 'rez-agent';

/** Tag key every resource of a stage carries (the provider's default tags), value: the stage. */
export const STAGE_TAG = 'rez:stage';

/**
 * `rez-<stage>`: the start of every physical name of a stage (queues,
 * topics, functions, table, log groups, alarms, load balancer, schedule group,
 * roles). Pulumi appends `-<random>` to the names it generates.
 */
export function stagePrefix(stage: string): string {
  if (!/^[a-z][a-z0-9]{1,9}$/.test(stage)) {
    throw new Error(`stage must be 2–10 lower-case letters or digits, got "${stage}"`);
  }
  return `rez-${stage}`;
}

/** IAM path of the roles the program creates for a stage's functions and schedules. */
export function workloadRolePath(stage: string): string {
  stagePrefix(stage);
  return `/rez/${stage}/`;
}

/**
 * IAM path of what the bootstrap creates (deploy and preview roles,
 * permissions boundaries). No deploy role may change anything under it.
 */
export const BOOTSTRAP_IAM_PATH = '/rez-bootstrap/';

/** Name of the permissions boundary every role of a stage must carry (created by the bootstrap). */
export function boundaryPolicyName(stage: string): string {
  return `${stagePrefix(stage)}-boundary`;
}

/** ARN of {@link boundaryPolicyName} in `accountId`. */
export function boundaryPolicyArn(partition: string, accountId: string, stage: string): string {
  return `arn:${partition}:iam::${accountId}:policy${BOOTSTRAP_IAM_PATH}${boundaryPolicyName(stage)}`;
}

/** Name of the role GitHub Actions assumes to deploy a stage. */
export function deployRoleName(stage: string): string {
  return `${stagePrefix(stage)}-deploy`;
}

/** Name of the read-only role pull-request previews assume. */
export const PREVIEW_ROLE_NAME = 'rez-preview';

/** Alias of the KMS key that encrypts a stage's Pulumi config secrets (`awskms://` secrets provider). */
export function secretsKeyAlias(stage: string): string {
  return `alias/${stagePrefix(stage)}-pulumi-secrets`;
}

/**
 * The object keys of one stack in a Pulumi DIY (S3) backend, project mode
 * (pulumi/pkg/backend/diy: `.pulumi/stacks/<project>/<stack>.json`, its
 * history, backups and locks).
 */
export function stackStateKeys(stage: string, project: string = PROJECT): string[] {
  return [
    `.pulumi/stacks/${project}/${stage}.json*`,
    `.pulumi/history/${project}/${stage}/*`,
    `.pulumi/backups/${project}/${stage}/*`,
    `.pulumi/locks/organization/${project}/${stage}/*`,
  ];
}
