/**
 * What the mocked engine answers: fake provider state for a registered
 * resource and the results of the provider functions the program calls.
 * Shared by the setMocks harness and the gRPC engine of the loader test; it
 * imports nothing of the program, so the loader's test process stays light.
 */
import type * as pulumi from '@pulumi/pulumi';

export const ACCOUNT_ID = '123456789012';
export const REGION = 'eu-central-1';

/** What a provider would return for a created resource: the inputs plus a name, an ARN and the computed fields the program reads. */
export function fakeState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  const [, mod] = type.split(':');
  const service = mod.split('/')[0];
  const physical = (inputs.name as string | undefined) ?? `${name}-1a2b3c4`;
  const state: Record<string, unknown> = {
    ...inputs,
    name: physical,
    arn: `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${physical}`,
  };
  const regional = (resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${resource}`;
  switch (type) {
    case 'aws:sqs/queue:Queue':
      state.url = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${physical}`;
      break;
    case 'aws:dynamodb/table:Table':
      state.arn = regional(`table/${physical}`);
      break;
    case 'aws:lambda/function:Function':
      state.arn = regional(`function:${physical}`);
      break;
    case 'aws:cloudwatch/logGroup:LogGroup':
      state.arn = `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${physical}`;
      break;
    case 'aws:cloudwatch/metricAlarm:MetricAlarm':
      state.arn = regional(`alarm:${physical}`);
      break;
    case 'aws:scheduler/scheduleGroup:ScheduleGroup':
      state.name =
        (inputs.name as string | undefined) ?? `${inputs.namePrefix ?? ''}20260101000000000000000001`;
      state.arn = regional(`schedule-group/${state.name}`);
      break;
    case 'aws:scheduler/schedule:Schedule':
      state.arn = regional(`schedule/${inputs.groupName}/${physical}`);
      break;
    case 'aws:lb/loadBalancer:LoadBalancer':
      state.arn = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT_ID}:loadbalancer/app/${physical}/50dc6c495c0c9188`;
      state.dnsName = `${inputs.internal ? 'internal-' : ''}${physical}-1234567890.${REGION}.elb.amazonaws.com`;
      break;
    case 'aws:lb/targetGroup:TargetGroup':
      state.arn = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT_ID}:targetgroup/${physical}/73e2d6bc24d8a067`;
      break;
    case 'aws:ssm/parameter:Parameter':
      state.arn = regional(`parameter${physical}`);
      state.version = 1;
      break;
    case 'aws:iam/role:Role':
      state.arn = `arn:aws:iam::${ACCOUNT_ID}:role${inputs.path ?? '/'}${physical}`;
      break;
    case 'aws:iam/policy:Policy':
      state.arn = `arn:aws:iam::${ACCOUNT_ID}:policy${inputs.path ?? '/'}${physical}`;
      break;
    case 'aws:kms/key:Key':
      state.arn = regional(`key/${name}-0000-1111`);
      state.keyId = `${name}-0000-1111`;
      break;
    case 'aws:iam/openIdConnectProvider:OpenIdConnectProvider':
      state.arn = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`;
      break;
    case 'aws:cloudfront/distribution:Distribution':
      state.domainName = 'd111111abcdef8.cloudfront.net';
      state.arn = `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/E1A2B3C4D5E6F7`;
      break;
  }
  return state;
}

/** Answers the provider functions the program calls (the caller's account and partition, the region's zones). */
export function mockCall(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
  switch (args.token) {
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/test`, userId: 'AIDATEST' };
    case 'aws:index/getPartition:getPartition':
      return { id: 'aws', partition: 'aws', dnsSuffix: 'amazonaws.com', reverseDnsPrefix: 'com.amazonaws' };
    case 'aws:index/getRegion:getRegion':
      return { id: REGION, name: REGION, region: REGION, description: 'Europe (Frankfurt)', endpoint: '' };
    case 'aws:index/getAvailabilityZones:getAvailabilityZones':
      return {
        id: REGION,
        names: ['a', 'b', 'c'].map((zone) => `${REGION}${zone}`),
        zoneIds: [1, 2, 3].map((n) => `euc1-az${n}`),
      };
    default:
      throw new Error(`unmocked provider function ${args.token}`);
  }
}

/** The account the bootstrap policies are built for in tests. */
export const ACCOUNT_SCOPE = { partition: 'aws', accountId: ACCOUNT_ID, region: REGION };

/** The state bucket the bootstrap tests name. */
export const STATE_BUCKET = 'rez-pulumi-state-123456789012';

/** The permissions boundary ARN of a stage in the test account. */
export const boundaryArnOf = (stage: string) =>
  `arn:aws:iam::${ACCOUNT_ID}:policy/rez-bootstrap/rez-${stage}-boundary`;
