import { createBootstrap } from '../bootstrap/bootstrap';
import { loadBootstrapConfig } from '../bootstrap/config';
import {
  boundaryPolicy,
  type DeployTargets,
  deployPolicies,
  type PolicyDocument,
  previewPolicy,
} from '../bootstrap/policies';
import { ACCOUNT_SCOPE, boundaryArnOf, STATE_BUCKET } from './fakes';
import { ACCOUNT_ID, installMocks, ofType, one, REGION, resolved, settle } from './harness';
import { decide, type EvalDocument } from './iam-eval';

const scope = ACCOUNT_SCOPE;
const BUCKET = STATE_BUCKET;
const boundaryArn = boundaryArnOf;
const keyArn = (stage: string) => `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${stage}-key`;
const targets = (stage: string): DeployTargets => ({
  bucket: BUCKET,
  secretsKeyArn: keyArn(stage),
  boundaryArn: boundaryArn(stage),
});
const deployDocs = (stage: string): EvalDocument[] =>
  Object.values(deployPolicies(scope, stage, targets(stage)));
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${resource}`;
const tagged = (stage: string) => ({
  'aws:ResourceTag/rez:stage': stage,
  'ec2:ResourceTag/rez:stage': stage,
});

/** What each stage's deploy role must be able to do, and what the other stage's must not. */
const STAGE_ACTIONS = (stage: string): [string, string, Record<string, string>][] => [
  ['sqs:DeleteQueue', arn('sqs', `rez-${stage}-queue-abc`), {}],
  ['sns:CreateTopic', arn('sns', `rez-${stage}-topic-abc`), {}],
  ['lambda:UpdateFunctionCode', arn('lambda', `function:rez-${stage}-web`), {}],
  ['dynamodb:DeleteTable', arn('dynamodb', `table/rez-${stage}-messages-abc`), {}],
  ['logs:DeleteLogGroup', arn('logs', `log-group:/aws/lambda/rez-${stage}-worker`), {}],
  ['cloudwatch:PutMetricAlarm', arn('cloudwatch', `alarm:rez-${stage}-dlq-not-empty`), {}],
  ['scheduler:UpdateSchedule', arn('scheduler', `schedule/rez-${stage}-2026/hello-world`), {}],
  ['ssm:PutParameter', arn('ssm', `parameter/rez/${stage}/session-key`), {}],
  [
    'elasticloadbalancing:DeleteLoadBalancer',
    arn('elasticloadbalancing', `loadbalancer/app/rez-${stage}-console-alb-abc/1`),
    {},
  ],
  [
    'lambda:DeleteEventSourceMapping',
    arn('lambda', 'event-source-mapping:1234'),
    {
      'lambda:FunctionArn': arn('lambda', `function:rez-${stage}-worker`),
    },
  ],
  [
    'iam:CreateRole',
    `arn:aws:iam::${ACCOUNT_ID}:role/rez/${stage}/rez-${stage}-web-role-abc`,
    {
      'iam:PermissionsBoundary': boundaryArn(stage),
    },
  ],
  [
    'iam:PassRole',
    `arn:aws:iam::${ACCOUNT_ID}:role/rez/${stage}/rez-${stage}-web-role-abc`,
    {
      'iam:PassedToService': 'lambda.amazonaws.com',
    },
  ],
  ['ec2:DeleteVpc', arn('ec2', 'vpc/vpc-123'), tagged(stage)],
  ['ec2:AuthorizeSecurityGroupIngress', arn('ec2', 'security-group/sg-123'), tagged(stage)],
  ['cloudfront:UpdateDistribution', `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/E123`, tagged(stage)],
  [
    'cloudfront:CreateVpcOrigin',
    `arn:aws:cloudfront::${ACCOUNT_ID}:vpcorigin/vo_1`,
    {
      'aws:RequestTag/rez:stage': stage,
    },
  ],
  ['s3:PutObject', `arn:aws:s3:::${BUCKET}/.pulumi/stacks/rez-agent/${stage}.json`, {}],
  ['s3:PutObject', `arn:aws:s3:::${BUCKET}/.pulumi/locks/organization/rez-agent/${stage}/lock.json`, {}],
  ['kms:Decrypt', keyArn(stage), {}],
];

describe('Bootstrap policies: a deploy role can change its stage and nothing else', () => {
  it.each(['dev', 'prod'])('the %s role can do what a deploy of its stage needs', (stage) => {
    const docs = deployDocs(stage);
    for (const [action, resource, context] of STAGE_ACTIONS(stage)) {
      expect({ action, resource, decision: decide(docs, action, resource, context) }).toEqual({
        action,
        resource,
        decision: 'allow',
      });
    }
  });

  it.each([
    ['dev', 'prod'],
    ['prod', 'dev'],
  ])('the %s role can change none of %s’s resources, state or secrets', (stage, other) => {
    const docs = deployDocs(stage);
    for (const [action, resource, context] of STAGE_ACTIONS(other)) {
      expect({ action, resource, decision: decide(docs, action, resource, context) }).not.toEqual(
        expect.objectContaining({ decision: 'allow' }),
      );
    }
  });

  it.each([
    ['dev', ['prod', 'stage']],
    ['prod', ['dev', 'stage']],
  ])(
    'names no ARN, path, state key or tag value of another stage in the %s role’s statements',
    (stage, others) => {
      const text = JSON.stringify(deployPolicies(scope, stage, targets(stage)));
      for (const other of others) {
        for (const mark of [`rez-${other}`, `/rez/${other}/`, `"${other}"`, `/${other}.json`, `/${other}/`]) {
          expect({ mark, found: text.includes(mark) }).toEqual({ mark, found: false });
        }
      }
    },
  );

  it('cannot edit its own role or anything the bootstrap made, or mint a role without the boundary', () => {
    const docs = deployDocs('dev');
    const own = `arn:aws:iam::${ACCOUNT_ID}:role/rez-bootstrap/rez-dev-deploy`;
    const ownPolicy = `arn:aws:iam::${ACCOUNT_ID}:policy/rez-bootstrap/rez-dev-deploy-iam`;
    const denied: [string, string, Record<string, string>][] = [
      ['iam:PutRolePolicy', own, { 'iam:PermissionsBoundary': boundaryArn('dev') }],
      ['iam:AttachRolePolicy', own, {}],
      ['iam:UpdateAssumeRolePolicy', own, {}],
      ['iam:CreatePolicyVersion', ownPolicy, {}],
      ['iam:CreatePolicyVersion', boundaryArn('dev'), {}],
      ['iam:CreateRole', `arn:aws:iam::${ACCOUNT_ID}:role/rez/dev/x`, {}],
      [
        'iam:CreateRole',
        `arn:aws:iam::${ACCOUNT_ID}:role/rez/dev/x`,
        { 'iam:PermissionsBoundary': boundaryArn('prod') },
      ],
      [
        'iam:CreateRole',
        `arn:aws:iam::${ACCOUNT_ID}:role/admin`,
        { 'iam:PermissionsBoundary': boundaryArn('dev') },
      ],
      [
        'iam:AttachRolePolicy',
        `arn:aws:iam::${ACCOUNT_ID}:role/rez/dev/x`,
        { 'iam:PermissionsBoundary': boundaryArn('dev') },
      ],
      ['iam:DeleteRolePermissionsBoundary', `arn:aws:iam::${ACCOUNT_ID}:role/rez/dev/x`, {}],
      [
        'iam:PassRole',
        `arn:aws:iam::${ACCOUNT_ID}:role/rez/dev/x`,
        { 'iam:PassedToService': 'ec2.amazonaws.com' },
      ],
      [
        'ec2:CreateSubnet',
        arn('ec2', 'vpc/vpc-prod'),
        { 'aws:RequestTag/rez:stage': 'dev', ...tagged('prod') },
      ],
      ['cloudfront:UpdateDistribution', `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/E1`, {}],
      ['s3:PutObject', `arn:aws:s3:::${BUCKET}/.pulumi/stacks/rez-bootstrap/bootstrap.json`, {}],
    ];
    for (const [action, resource, context] of denied) {
      expect({ action, resource, decision: decide(docs, action, resource, context) }).not.toEqual(
        expect.objectContaining({ decision: 'allow' }),
      );
    }
    expect(decide(docs, 'iam:PutRolePolicy', own, { 'iam:PermissionsBoundary': boundaryArn('dev') })).toBe(
      'deny',
    );
  });

  it('keeps every managed policy under IAM’s 6,144 characters', () => {
    for (const stage of ['dev', 'stage', 'prod']) {
      const documents: PolicyDocument[] = [
        ...Object.values(deployPolicies(scope, stage, targets(stage))),
        boundaryPolicy(scope, stage),
      ];
      for (const document of documents) expect(JSON.stringify(document).length).toBeLessThanOrEqual(6144);
    }
  });

  it('lets a workload role’s SecureString reads decrypt through SSM, and no KMS use besides', () => {
    const boundary = [boundaryPolicy(scope, 'dev')];
    const awsSsmKey = arn('kms', 'key/0a1b2c3d-aws-ssm');
    const viaSsm = { 'kms:ViaService': `ssm.${REGION}.amazonaws.com` };
    expect(decide(boundary, 'kms:Decrypt', awsSsmKey, viaSsm)).toBe('allow');
    expect(
      decide(boundary, 'kms:Decrypt', awsSsmKey, { 'kms:ViaService': `s3.${REGION}.amazonaws.com` }),
    ).toBe('implicit-deny');
    expect(decide(boundary, 'kms:Decrypt', awsSsmKey)).toBe('implicit-deny');
    expect(decide(boundary, 'kms:Encrypt', awsSsmKey, viaSsm)).toBe('implicit-deny');
  });

  it('lets the preview role read the dev stack and decrypt its config, and change nothing', () => {
    const docs = [previewPolicy(scope, 'dev', targets('dev'))];
    expect(decide(docs, 's3:GetObject', `arn:aws:s3:::${BUCKET}/.pulumi/stacks/rez-agent/dev.json`)).toBe(
      'allow',
    );
    expect(decide(docs, 'kms:Decrypt', keyArn('dev'))).toBe('allow');
    expect(decide(docs, 's3:GetObject', `arn:aws:s3:::${BUCKET}/.pulumi/stacks/rez-agent/prod.json`)).toBe(
      'implicit-deny',
    );
    expect(decide(docs, 'kms:Decrypt', keyArn('prod'))).toBe('implicit-deny');
    const writes = docs.flatMap((d) => d.Statement).flatMap((s) => s.Action);
    expect(
      writes.filter((a) => !/^(s3:GetObject|s3:ListBucket|kms:Decrypt|ec2:Describe\w+)$/.test(a)),
    ).toEqual([]);
  });
});

describe('Bootstrap program (under mocks)', () => {
  const config = {
    'rez-bootstrap:githubRepository': 'rzesz/rez-agent',
    'rez-bootstrap:stateBucket': BUCKET,
    'aws:region': REGION,
  };

  it('creates the OIDC provider, a boundary, a key and a deploy role per stage, and the preview role', async () => {
    const recorded = installMocks('bootstrap', config, 'rez-bootstrap');
    const outputs = createBootstrap(loadBootstrapConfig());
    await settle();
    const provider = one(recorded, 'aws:iam/openIdConnectProvider:OpenIdConnectProvider');
    expect(provider.inputs).toMatchObject({
      url: 'https://token.actions.githubusercontent.com',
      clientIdLists: ['sts.amazonaws.com'],
    });
    const roles = ofType(recorded, 'aws:iam/role:Role');
    expect(roles.map((r) => r.inputs.name).sort()).toEqual([
      'rez-dev-deploy',
      'rez-preview',
      'rez-prod-deploy',
    ]);
    for (const role of roles) {
      expect(role.inputs.path).toBe('/rez-bootstrap/');
      const environment = role.inputs.name === 'rez-preview' ? 'preview' : role.inputs.name.split('-')[1];
      const [statement] = JSON.parse(role.inputs.assumeRolePolicy).Statement;
      expect(statement.Principal.Federated).toMatch(/oidc-provider\/token\.actions\.githubusercontent\.com$/);
      expect(statement.Condition.StringEquals).toEqual({
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': `repo:rzesz/rez-agent:environment:${environment}`,
      });
    }
    const attachments = ofType(recorded, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment');
    expect(attachments).toHaveLength(8);
    const boundaries = ofType(recorded, 'aws:iam/policy:Policy').filter((p) =>
      p.inputs.name.endsWith('-boundary'),
    );
    expect(boundaries.map((b) => b.inputs.name).sort()).toEqual(['rez-dev-boundary', 'rez-prod-boundary']);
    expect(
      ofType(recorded, 'aws:kms/alias:Alias')
        .map((a) => a.inputs.name)
        .sort(),
    ).toEqual(['alias/rez-dev-pulumi-secrets', 'alias/rez-prod-pulumi-secrets']);
    expect(await resolved(outputs.backendUrl)).toBe(`s3://${BUCKET}?region=${REGION}`);
    expect(await resolved(outputs.secretsProviders.prod)).toBe(
      `awskms://alias/rez-prod-pulumi-secrets?region=${REGION}`,
    );
    expect(await resolved(outputs.deployRoleArns.dev)).toBe(
      `arn:aws:iam::${ACCOUNT_ID}:role/rez-bootstrap/rez-dev-deploy`,
    );
    const preview = one(recorded, 'aws:iam/rolePolicy:RolePolicy', 'rez-preview');
    expect(preview.inputs.policy).toContain(`${BUCKET}/.pulumi/stacks/rez-agent/dev.json`);
    expect(preview.inputs.policy).not.toContain('prod');
  });

  it('hardens the state bucket: versioned, encrypted, private, TLS only', async () => {
    const recorded = installMocks('bootstrap', config, 'rez-bootstrap');
    createBootstrap(loadBootstrapConfig());
    await settle();
    expect(one(recorded, 'aws:s3/bucketVersioning:BucketVersioning').inputs.versioningConfiguration).toEqual({
      status: 'Enabled',
    });
    expect(one(recorded, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').inputs).toMatchObject({
      bucket: BUCKET,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const policy = JSON.parse(one(recorded, 'aws:s3/bucketPolicy:BucketPolicy').inputs.policy);
    expect(policy.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(
      ofType(
        recorded,
        'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
      ),
    ).toHaveLength(1);
  });

  it('reuses an existing OIDC provider when told its ARN', async () => {
    const existing = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`;
    const recorded = installMocks(
      'bootstrap',
      { ...config, 'rez-bootstrap:githubOidcProviderArn': existing },
      'rez-bootstrap',
    );
    createBootstrap(loadBootstrapConfig());
    await settle();
    expect(ofType(recorded, 'aws:iam/openIdConnectProvider:OpenIdConnectProvider')).toEqual([]);
  });

  it.each([
    [{ 'rez-bootstrap:githubRepository': '' }, 'rez-bootstrap:githubRepository is required'],
    [
      { 'rez-bootstrap:githubRepository': 'https://github.com/a/b' },
      'rez-bootstrap:githubRepository must be OWNER/REPO',
    ],
    [{ 'rez-bootstrap:stateBucket': 'Not_A_Bucket' }, 'rez-bootstrap:stateBucket must be an S3 bucket name'],
    [{ 'rez-bootstrap:stages': '["dev","qa"]' }, 'rez-bootstrap:stages must be a list of distinct stages'],
    [
      { 'rez-bootstrap:previewStage': 'stage' },
      'rez-bootstrap:previewStage must be one of the stages (dev, prod)',
    ],
    [{ 'rez-bootstrap:repo': 'x' }, 'rez-bootstrap:repo is not a setting the bootstrap reads'],
  ])('refuses %j: %s', (override, message) => {
    installMocks('bootstrap', { ...config, ...override }, 'rez-bootstrap');
    expect(() => loadBootstrapConfig()).toThrow(message);
  });
});
