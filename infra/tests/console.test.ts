import * as path from 'node:path';
import { CONSOLE_METHODS, MANAGED_POLICY } from '../components/edge';
import { VPC_CIDR } from '../components/network';
import { WEB_TIMEOUT_SECONDS } from '../components/web';
import { loadConfig } from '../config';
import {
  installMocks,
  ofType,
  one,
  plain,
  resolved,
  runStage,
  type StageRun,
  stackConfig,
  stubBundles,
  TEST_SECRETS,
} from './harness';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123';
const runs: Record<string, StageRun> = {};
beforeAll(async () => {
  runs.dev = await runStage('dev');
  runs.prod = await runStage('prod');
});

describe.each(['dev', 'prod'])('Console (%s): CloudFront in front of an internal ALB', (stage) => {
  const get = () => runs[stage];
  const p = `rez-${stage}`;

  it('serves viewers over HTTPS only, on the distribution’s own cloudfront.net certificate', async () => {
    const { recorded, outputs } = get();
    const cdn = one(recorded, 'aws:cloudfront/distribution:Distribution');
    expect(cdn.inputs.viewerCertificate).toEqual({ cloudfrontDefaultCertificate: true });
    expect(cdn.inputs.aliases ?? []).toEqual([]);
    expect(cdn.inputs.defaultCacheBehavior.viewerProtocolPolicy).toBe('redirect-to-https');
    expect(cdn.inputs.orderedCacheBehaviors ?? []).toEqual([]);
    expect(await resolved(outputs.consoleUrl)).toBe('https://d111111abcdef8.cloudfront.net');
    expect(await resolved(outputs.callbackUrl)).toBe('https://d111111abcdef8.cloudfront.net/auth/callback');
    expect(await resolved(outputs.distributionDomainName)).toBe('d111111abcdef8.cloudfront.net');
  });

  it('caches nothing and forwards cookies, query strings, headers and every method the console uses', () => {
    const behavior = one(get().recorded, 'aws:cloudfront/distribution:Distribution').inputs
      .defaultCacheBehavior;
    expect(behavior.cachePolicyId).toBe(MANAGED_POLICY.cachingDisabled);
    expect(behavior.originRequestPolicyId).toBe(MANAGED_POLICY.allViewerExceptHostHeader);
    expect([...behavior.allowedMethods].sort()).toEqual(
      ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'].sort(),
    );
    expect(CONSOLE_METHODS).toHaveLength(7);
    expect(behavior.forwardedValues).toBeUndefined();
  });

  it('reaches the load balancer through a VPC origin, waiting longer than the web function may run', () => {
    const { recorded } = get();
    const cdn = one(recorded, 'aws:cloudfront/distribution:Distribution');
    const origin = one(recorded, 'aws:cloudfront/vpcOrigin:VpcOrigin');
    const alb = one(recorded, 'aws:lb/loadBalancer:LoadBalancer');
    expect(origin.inputs.vpcOriginEndpointConfig).toMatchObject({
      arn: expect.stringContaining(`${p}-console-alb`),
      httpPort: 80,
      originProtocolPolicy: 'http-only',
    });
    expect(cdn.inputs.origins).toHaveLength(1);
    const [cdnOrigin] = cdn.inputs.origins;
    expect(cdnOrigin.domainName).toMatch(/^internal-rez-.*\.elb\.amazonaws\.com$/);
    expect(cdnOrigin.customOriginConfig).toBeUndefined();
    expect(cdnOrigin.vpcOriginConfig.vpcOriginId).toBe(`${origin.name}-id`);
    expect(cdnOrigin.vpcOriginConfig.originReadTimeout).toBeGreaterThan(WEB_TIMEOUT_SECONDS);
    expect(cdn.inputs.defaultCacheBehavior.targetOriginId).toBe(cdnOrigin.originId);
    expect(alb.inputs).toMatchObject({ internal: true, loadBalancerType: 'application' });
  });

  it('admits nothing from 0.0.0.0/0: the ALB is internal, in private subnets, open to its VPC only', () => {
    const { recorded } = get();
    const groups = ofType(recorded, 'aws:ec2/securityGroup:SecurityGroup');
    expect(groups).toHaveLength(1);
    const [group] = groups;
    for (const rule of group.inputs.ingress) {
      expect(rule.cidrBlocks).toEqual([VPC_CIDR]);
      expect(rule.ipv6CidrBlocks ?? []).toEqual([]);
      expect(rule.prefixListIds ?? []).toEqual([]);
    }
    expect(JSON.stringify(recorded.map((r) => r.inputs))).not.toMatch(/0\.0\.0\.0\/0|::\/0/);
    const subnets = ofType(recorded, 'aws:ec2/subnet:Subnet');
    expect(subnets).toHaveLength(2);
    expect(new Set(subnets.map((s) => s.inputs.availabilityZone)).size).toBe(2);
    for (const subnet of subnets) expect(subnet.inputs.mapPublicIpOnLaunch).toBe(false);
    expect(ofType(recorded, 'aws:ec2/route:Route')).toEqual([]);
    expect(ofType(recorded, 'aws:ec2/routeTable:RouteTable')).toEqual([]);
    expect(one(recorded, 'aws:lb/loadBalancer:LoadBalancer').inputs.subnets).toEqual(
      subnets.map((s) => `${s.name}-id`),
    );
    // VPC origins need an internet gateway in the VPC; nothing routes to it.
    expect(ofType(recorded, 'aws:ec2/internetGateway:InternetGateway')).toHaveLength(1);
  });

  it('registers the web Lambda in the ALB target group, and gives it the distribution URL', async () => {
    const { recorded, outputs } = get();
    const group = one(recorded, 'aws:lb/targetGroup:TargetGroup');
    expect(group.inputs).toMatchObject({ targetType: 'lambda', lambdaMultiValueHeadersEnabled: true });
    const listener = one(recorded, 'aws:lb/listener:Listener');
    expect(listener.inputs).toMatchObject({ port: 80, protocol: 'HTTP' });
    expect(listener.inputs.defaultActions).toEqual([
      { type: 'forward', targetGroupArn: expect.stringContaining(group.name) },
    ]);
    const permission = one(recorded, 'aws:lambda/permission:Permission');
    expect(permission.inputs).toMatchObject({
      action: 'lambda:InvokeFunction',
      principal: 'elasticloadbalancing.amazonaws.com',
      function: `${p}-web`,
    });
    expect(permission.inputs.sourceArn).toContain(group.name);
    const fn = one(recorded, 'aws:lambda/function:Function', `${p}-web-function`);
    expect(await fn.inputs.code.path).toBe(path.join(stubBundles(), 'web', 'dist'));
    const env = plain(fn.inputs.environment).variables;
    expect(env.REZ_PUBLIC_URL).toBe(await resolved(outputs.consoleUrl));
  });

  it('passes the console its plain settings and the names of its secret parameters', () => {
    const { recorded, config } = get();
    const env = plain(
      one(recorded, 'aws:lambda/function:Function', `${p}-web-function`).inputs.environment,
    ).variables;
    expect(env).toMatchObject({
      REZ_STAGE: stage,
      OAUTH_ISSUER: config.web.oauthIssuer,
      OAUTH_CLIENT_ID: config.web.oauthClientId,
      REZ_ALLOWED_USERS: config.web.allowedUsers.join(','),
      REZ_OAUTH_CLIENT_SECRET_PARAMETER: `/rez/${stage}/oauth-client-secret:1`,
      REZ_SESSION_KEY_PARAMETER: `/rez/${stage}/session-key:1`,
    });
    expect(JSON.parse(env.REZ_SCHEDULES)).toEqual(config.schedules);
    expect(env.REZ_QUEUE_URL).toContain(`${p}-queue`);
    expect(env.REZ_DLQ_URL).toContain(`${p}-dlq`);
  });
});

describe('Console with a domain of your own', () => {
  it('serves rez:domainName on its us-east-1 certificate, with TLS 1.2 or later', async () => {
    const { recorded, outputs } = await runStage('prod', {
      'rez:domainName': 'rez.example.com',
      'rez:certificateArn': CERTIFICATE,
    });
    const cdn = one(recorded, 'aws:cloudfront/distribution:Distribution');
    expect(cdn.inputs.aliases).toEqual(['rez.example.com']);
    expect(cdn.inputs.viewerCertificate).toEqual({
      acmCertificateArn: CERTIFICATE,
      sslSupportMethod: 'sni-only',
      minimumProtocolVersion: 'TLSv1.2_2021',
    });
    expect(await resolved(outputs.consoleUrl)).toBe('https://rez.example.com');
    expect(await resolved(outputs.callbackUrl)).toBe('https://rez.example.com/auth/callback');
    const env = plain(
      one(recorded, 'aws:lambda/function:Function', 'rez-prod-web-function').inputs.environment,
    ).variables;
    expect(env.REZ_PUBLIC_URL).toBe('https://rez.example.com');
  });

  it.each([
    [{ 'rez:domainName': 'rez.example.com' }, 'rez:certificateArn is required with rez:domainName'],
    [{ 'rez:certificateArn': CERTIFICATE }, 'rez:domainName is required with rez:domainName'],
    [
      { 'rez:domainName': 'http://rez.example.com', 'rez:certificateArn': CERTIFICATE },
      'rez:domainName must be a host name such as rez.example.com (no scheme, no path; the console is HTTPS only)',
    ],
    [
      {
        'rez:domainName': 'rez.example.com',
        'rez:certificateArn': 'arn:aws:acm:eu-central-1:123456789012:certificate/abc',
      },
      'rez:certificateArn must be a certificate in us-east-1 (CloudFront takes no other region), got one in eu-central-1',
    ],
    [
      { 'rez:publicUrl': 'http://rez.example.com' },
      'rez:publicUrl is no longer read: the console is served by CloudFront',
    ],
  ])('refuses %j: %s', (override, message) => {
    for (const stage of ['dev', 'prod']) {
      installMocks(stage, { ...stackConfig(stage), ...TEST_SECRETS, ...override });
      expect(() => loadConfig(stage)).toThrow(message);
    }
  });
});
