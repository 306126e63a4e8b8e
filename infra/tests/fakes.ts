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
  switch (type) {
    case 'aws:sqs/queue:Queue':
      state.url = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${physical}`;
      break;
    case 'aws:lb/loadBalancer:LoadBalancer':
      state.dnsName = `${inputs.internal ? 'internal-' : ''}${physical}-1234567890.${REGION}.elb.amazonaws.com`;
      break;
    case 'aws:ssm/parameter:Parameter':
      state.arn = `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter${physical}`;
      break;
    case 'aws:iam/role:Role':
      state.arn = `arn:aws:iam::${ACCOUNT_ID}:role${inputs.path ?? '/'}${physical}`;
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
