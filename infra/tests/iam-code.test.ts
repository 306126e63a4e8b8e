/**
 * IAM proven against the code: for each Lambda, every AWS API action its
 * built bundle can call (bundle-actions.ts, from the esbuild metafile of the
 * real build) must be granted to its role on the resource its code is
 * pointed at — and the role may grant nothing else, beyond what the Lambda
 * service itself does with the role (logs, the SQS event source mapping).
 *
 * Which resource an action is called on is the one thing written by hand
 * (TARGETS): each action of each function names the environment variable,
 * the event source or "*" it acts on. The resources are then read from the
 * function's environment in the mocked program and turned into ARNs by AWS's
 * own formats, so a grant on the wrong queue or parameter fails. A pass of a
 * role is granted and needed together with the service it is passed to (the
 * iam:PassedToService condition, the only condition a function's policy may
 * carry).
 */
import { MESSAGES_TABLE } from '@rez/aws';
import { type BundleActions, bundleActions, readBuild } from './bundle-actions';
import {
  ACCOUNT_ID,
  ofType,
  one,
  plain,
  REGION,
  REPO_ROOT,
  type Recorded,
  runStage,
  type StageRun,
  statements,
  TEST_SECRETS,
} from './harness';

type Fn = 'worker' | 'scheduler' | 'web';
const FUNCTIONS: Fn[] = ['worker', 'scheduler', 'web'];

/** Where an action's resource comes from. */
type Target =
  /**
   * An environment variable holding an ARN, a queue URL, a table name, a
   * parameter name or a schedule group's name (its schedules are the resource).
   */
  | {
      env: string;
      kind: 'arn' | 'queue' | 'table' | 'table-and-indexes' | 'parameter' | 'schedules-in-group';
      optional?: boolean;
    }
  /** An environment variable holding a role's ARN, which the code passes to `service` only. */
  | { env: string; kind: 'role'; passedTo: string }
  /** The queue of the function's SQS event source mapping (records name it by eventSourceARN). */
  | { eventSource: true }
  /** Actions with no resource-level permissions. */
  | { anyResource: true };

const topic: Target = { env: 'REZ_TOPIC_ARN', kind: 'arn' };
const table: Target = { env: 'REZ_MESSAGES_TABLE', kind: 'table' };
/** EventBridgeScheduler: the schedules of the stage's user schedule group. */
const userSchedules: Target = { env: 'REZ_USER_SCHEDULE_GROUP', kind: 'schedules-in-group' };
const STORE: Record<string, Target[]> = {
  'dynamodb:GetItem': [table],
  'dynamodb:PutItem': [table],
  'dynamodb:UpdateItem': [table],
  // Lists use the indexes; counts query the table itself.
  'dynamodb:Query': [{ env: 'REZ_MESSAGES_TABLE', kind: 'table-and-indexes' }],
};

/** What each function's code calls each action on. */
const TARGETS: Record<Fn, Record<string, Target[]>> = {
  worker: {
    ...STORE,
    'sns:Publish': [topic],
    // SqsRedelivery: a rate-limited record waits on its own queue.
    'sqs:ChangeMessageVisibility': [{ eventSource: true }],
    // sqsDeadLetter: a permanent failure goes to the DLQ at once.
    'sqs:SendMessage': [{ env: 'REZ_DLQ_URL', kind: 'queue' }],
    // The push state: an alarm's acknowledgement ends when it is OK (DynamoPushStateStore).
    'dynamodb:DeleteItem': [table],
    'ssm:GetParameter': [
      { env: 'REZ_NTFY_TOKEN_PARAMETER', kind: 'parameter', optional: true },
      { env: 'REZ_ACTION_KEY_PARAMETER', kind: 'parameter', optional: true },
    ],
  },
  // The store (a user schedule's run is read with GetItem and recorded with UpdateItem, in STORE's grants).
  scheduler: { ...STORE, 'sns:Publish': [topic] },
  web: {
    ...STORE,
    // A user schedule's definition is deleted; a push action link whose action did nothing is given back.
    'dynamodb:DeleteItem': [table],
    ...Object.fromEntries(
      ['CreateSchedule', 'UpdateSchedule', 'DeleteSchedule', 'GetSchedule'].map((action) => [
        `scheduler:${action}`,
        [userSchedules],
      ]),
    ),
    // Creating or updating a schedule passes the schedule role to EventBridge Scheduler.
    'iam:PassRole': [{ env: 'REZ_SCHEDULE_ROLE_ARN', kind: 'role', passedTo: 'scheduler.amazonaws.com' }],
    'sns:Publish': [topic],
    'cloudwatch:GetMetricData': [{ anyResource: true }],
    // SqsQueue: depth of both; redrive sends to the queue; the DLQ is received, released and deleted from.
    'sqs:GetQueueAttributes': [
      { env: 'REZ_QUEUE_URL', kind: 'queue' },
      { env: 'REZ_DLQ_URL', kind: 'queue' },
    ],
    'sqs:SendMessage': [{ env: 'REZ_QUEUE_URL', kind: 'queue' }],
    'sqs:ReceiveMessage': [{ env: 'REZ_DLQ_URL', kind: 'queue' }],
    'sqs:ChangeMessageVisibility': [{ env: 'REZ_DLQ_URL', kind: 'queue' }],
    'sqs:DeleteMessage': [{ env: 'REZ_DLQ_URL', kind: 'queue' }],
    'ssm:GetParameter': [
      { env: 'REZ_OAUTH_CLIENT_SECRET_PARAMETER', kind: 'parameter' },
      { env: 'REZ_SESSION_KEY_PARAMETER', kind: 'parameter' },
      { env: 'REZ_ACTION_KEY_PARAMETER', kind: 'parameter', optional: true },
    ],
  },
};

/** What the Lambda service does with a function's role, whatever its code. */
const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
/** The SQS event source mapping polls and deletes with the function's role. */
const EVENT_SOURCE_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/** The parts of the mocked program one function's check reads. */
interface Deployed {
  functionName: string;
  functionArn: string;
  environment: Record<string, string>;
  logGroupArn: string;
  eventSources: string[];
  /** Every "action resource" pair the role's policies allow. */
  granted: Set<string>;
}

function deployed(run: StageRun, fn: Fn): Deployed {
  const { recorded, config } = run;
  const functionName = `rez-${config.stage}-${fn}`;
  const resource = one(recorded, 'aws:lambda/function:Function', `${functionName}-function`);
  const functionArn = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${functionName}`;
  const role = one(recorded, 'aws:iam/role:Role', `${functionName}-role`);
  const roleId = `${role.name}-id`;
  expect(resource.inputs.role).toMatch(new RegExp(`:role${role.inputs.path}${role.name}-[0-9a-f]+$`));
  expect(role.inputs.managedPolicyArns ?? []).toEqual([]);
  expect(role.inputs.inlinePolicies ?? []).toEqual([]);
  expect(
    ofType(recorded, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter(
      (a) => a.inputs.role === roleId,
    ),
  ).toEqual([]);
  const granted = new Set<string>();
  for (const policy of ofType(recorded, 'aws:iam/rolePolicy:RolePolicy').filter(
    (p) => p.inputs.role === roleId,
  )) {
    const document = JSON.parse(policy.inputs.policy) as { Statement: { Effect: string }[] };
    expect(document.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
    for (const statement of statements(policy.inputs.policy)) {
      const passedTo = passedToService(statement);
      for (const action of statement.Action)
        for (const arn of statement.Resource) granted.add(pair(action, arn, passedTo));
    }
  }
  return {
    functionName,
    functionArn,
    environment: plain(resource.inputs.environment).variables,
    logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${resource.inputs.loggingConfig.logGroup}`,
    eventSources: ofType(recorded, 'aws:lambda/eventSourceMapping:EventSourceMapping')
      .filter((m: Recorded) => m.inputs.functionName === functionArn)
      .map((m) => m.inputs.eventSourceArn),
    granted,
  };
}

/** An "action resource" pair, with the service a role is passed to when it is a PassRole. */
function pair(action: string, arn: string, passedTo?: string): string {
  return passedTo === undefined ? `${action} ${arn}` : `${action} ${arn} to ${passedTo}`;
}

/**
 * The service a statement lets its roles be passed to: the one condition a
 * function's policy may carry, on iam:PassRole alone. Any other condition
 * fails the test, since this check could not tell what it allows.
 */
function passedToService(statement: ReturnType<typeof statements>[number]): string | undefined {
  if (statement.Condition === undefined) return undefined;
  const { StringEquals, ...others } = statement.Condition;
  const { 'iam:PassedToService': service, ...keys } = StringEquals ?? {};
  const understood =
    Object.keys(others).length === 0 &&
    Object.keys(keys).length === 0 &&
    typeof service === 'string' &&
    statement.Action.every((action) => action === 'iam:PassRole');
  if (!understood) {
    throw new Error(
      `statement ${statement.Sid}: a condition other than iam:PassedToService on iam:PassRole: ${JSON.stringify(statement.Condition)}`,
    );
  }
  return service as string;
}

/** The ARNs `target` stands for in `fn`'s deployment; [] for an optional variable that is unset. */
function resources(target: Target, fn: Deployed): string[] {
  if ('anyResource' in target) return ['*'];
  if ('eventSource' in target) return fn.eventSources;
  const value = fn.environment[target.env];
  if (value === undefined) {
    if ('optional' in target && target.optional) return [];
    throw new Error(`${fn.functionName}: its code acts on ${target.env}, which its environment does not set`);
  }
  switch (target.kind) {
    case 'arn':
    case 'role':
      return [value];
    case 'schedules-in-group':
      return [`arn:aws:scheduler:${REGION}:${ACCOUNT_ID}:schedule/${value}/*`];
    case 'queue': {
      const match = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d{12})\/([\w-]+)$/.exec(value);
      if (!match) throw new Error(`${fn.functionName}: ${target.env} is not an SQS queue URL: ${value}`);
      return [`arn:aws:sqs:${match[1]}:${match[2]}:${match[3]}`];
    }
    case 'table':
      return [`arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/${value}`];
    case 'table-and-indexes': {
      const arn = `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/${value}`;
      return [arn, ...MESSAGES_TABLE.globalSecondaryIndexes.map((index) => `${arn}/index/${index.name}`)];
    }
    case 'parameter': {
      // A version selector (":3") is no part of the parameter's ARN.
      const name = value.replace(/:[^/:]+$/, '');
      return [`arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter${name}`];
    }
  }
}

/** Every "action resource" pair `fn` needs: what its code calls, and what Lambda does with its role. */
function needed(fnName: Fn, calls: Set<string>, fn: Deployed): Set<string> {
  const pairs = new Set<string>();
  for (const action of calls) {
    const targets = TARGETS[fnName][action];
    if (!targets) {
      throw new Error(
        `${fn.functionName}: its bundle can call ${action}, and TARGETS (infra/tests/iam-code.test.ts) ` +
          'does not say on what: add the resource its code uses',
      );
    }
    for (const target of targets) {
      const passedTo = 'passedTo' in target ? target.passedTo : undefined;
      for (const arn of resources(target, fn)) pairs.add(pair(action, arn, passedTo));
    }
  }
  for (const action of LOG_ACTIONS) pairs.add(`${action} ${fn.logGroupArn}:*`);
  for (const queue of fn.eventSources)
    for (const action of EVENT_SOURCE_ACTIONS) pairs.add(`${action} ${queue}`);
  return pairs;
}

/** Needed pairs the role does not grant, and granted pairs nothing needs. */
function compare(needs: Set<string>, granted: Set<string>): { missing: string[]; unused: string[] } {
  return {
    missing: [...needs].filter((pair) => !granted.has(pair)).sort(),
    unused: [...granted].filter((pair) => !needs.has(pair)).sort(),
  };
}

const builds = Object.fromEntries(FUNCTIONS.map((fn) => [fn, readBuild(REPO_ROOT, fn)])) as Record<
  Fn,
  ReturnType<typeof readBuild>
>;
const actionsOf = (fn: Fn, deployment: Deployed): BundleActions =>
  bundleActions(builds[fn].metafile, builds[fn].entry, { environment: deployment.environment }, REPO_ROOT);

const runs: Record<string, StageRun> = {};
beforeAll(async () => {
  runs.dev = await runStage('dev');
  runs.prod = await runStage('prod');
  runs['dev without an ntfy token'] = await runStage(
    'dev',
    {},
    Object.fromEntries(Object.entries(TEST_SECRETS).filter(([key]) => key !== 'rez:ntfyToken')),
  );
  runs['dev without push actions'] = await runStage(
    'dev',
    { 'rez:pushActions': 'false' },
    Object.fromEntries(Object.entries(TEST_SECRETS).filter(([key]) => key !== 'rez:actionKey')),
  );
});

describe.each(['dev', 'prod', 'dev without an ntfy token', 'dev without push actions'])(
  'IAM against the code (%s)',
  (stack) => {
    it.each(FUNCTIONS)(
      'grants the %s role exactly what its bundle calls, on the resources it calls them on',
      (fn) => {
        const deployment = deployed(runs[stack], fn);
        const { actions } = actionsOf(fn, deployment);
        expect(compare(needed(fn, actions, deployment), deployment.granted)).toEqual({
          missing: [],
          unused: [],
        });
      },
    );
  },
);

describe('What the bundles can call (from the build metafile)', () => {
  const deployment = (fn: Fn) => deployed(runs.dev, fn);

  it('finds each Lambda’s SDK calls, and only those its chunks hold', () => {
    const worker = actionsOf('worker', deployment('worker'));
    const scheduler = actionsOf('scheduler', deployment('scheduler'));
    const web = actionsOf('web', deployment('web'));
    expect([...worker.actions].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'sns:Publish',
      'sqs:ChangeMessageVisibility',
      'sqs:SendMessage',
      'ssm:GetParameter',
    ]);
    // The scheduler holds the store and the publisher, nothing of SQS, SSM, CloudWatch or EventBridge
    // Scheduler, and of the user schedules only a read by key and a run record (no Query, no DeleteItem).
    expect([...scheduler.actions].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'sns:Publish',
    ]);
    // The console manages user schedules: EventBridge Scheduler, passing the schedule role, deleting definitions.
    expect([...web.actions].filter((a) => /^(scheduler|iam|dynamodb):/.test(a)).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'iam:PassRole',
      'scheduler:CreateSchedule',
      'scheduler:DeleteSchedule',
      'scheduler:GetSchedule',
      'scheduler:UpdateSchedule',
    ]);
    expect([...web.actions].filter((a) => a.startsWith('sqs:')).sort()).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    // Batch calls count as their single-message action: the web's redrive deletes in batches.
    expect(
      web.commands.get('sqs:DeleteMessage')?.some((m) => m.endsWith('/DeleteMessageBatchCommand.js')),
    ).toBe(true);
    // Present, never sent, and said why (bundle-actions.ts NEVER_SENT).
    expect(worker.unsent.sort()).toEqual(['dynamodb:DescribeEndpoints', 'dynamodb:Scan']);
  });

  it('fails a bundle holding a command of a client it has no IAM prefix for', () => {
    const { metafile, entry } = builds.worker;
    const [output] = Object.keys(metafile.outputs).filter((f) => metafile.outputs[f].entryPoint === entry);
    const planted = structuredClone(metafile);
    planted.outputs[output].inputs[
      'node_modules/@aws-sdk/client-kinesis/dist-es/commands/PutRecordCommand.js'
    ] = {
      bytesInOutput: 90,
    };
    expect(() => bundleActions(planted, entry, { environment: {} }, REPO_ROOT)).toThrow(
      '@aws-sdk/client-kinesis has no IAM prefix in SDK_CLIENTS (infra/tests/bundle-actions.ts): add its row',
    );
  });

  it('counts a new client’s commands once its prefix row is there, with the actions they imply', () => {
    // The worker holds no Scheduler command of its own (the console's are real since issue 14).
    const { metafile, entry } = builds.worker;
    const [output] = Object.keys(metafile.outputs).filter((f) => metafile.outputs[f].entryPoint === entry);
    const planted = structuredClone(metafile);
    planted.outputs[output].inputs[
      'node_modules/@aws-sdk/client-scheduler/dist-es/commands/CreateScheduleCommand.js'
    ] = { bytesInOutput: 95 };
    const { actions } = bundleActions(planted, entry, { environment: {} }, REPO_ROOT);
    expect([...actions].filter((a) => /^(scheduler|iam):/.test(a)).sort()).toEqual([
      'iam:PassRole',
      'scheduler:CreateSchedule',
    ]);
  });

  it('fails when a never-sent command’s reason no longer holds', () => {
    const { metafile, entry } = builds.worker;
    expect(() =>
      bundleActions(metafile, entry, { environment: { AWS_ENABLE_ENDPOINT_DISCOVERY: 'true' } }, REPO_ROOT),
    ).toThrow(
      "dynamodb:DescribeEndpoints is in the bundle and counted as never sent (client-dynamodb's endpoint",
    );
  });
});

describe('The IAM check fails where AWS would', () => {
  const worker = () => deployed(runs.dev, 'worker');
  const needsOf = (fn: Fn, deployment: Deployed) => needed(fn, actionsOf(fn, deployment).actions, deployment);

  it('when a grant the code needs is removed', () => {
    const deployment = worker();
    const dlq = [...deployment.granted].find((pair) => pair.startsWith('sqs:SendMessage '));
    expect(dlq).toMatch(/^sqs:SendMessage arn:aws:sqs:.*:rez-dev-dlq-/);
    deployment.granted.delete(dlq as string);
    expect(compare(needsOf('worker', deployment), deployment.granted)).toEqual({
      missing: [dlq],
      unused: [],
    });
  });

  it('when a grant no code calls is added, or a called one points at another resource', () => {
    const deployment = worker();
    const queue = deployment.eventSources[0];
    deployment.granted.add(`sqs:PurgeQueue ${queue}`);
    const ssm = [...deployment.granted].find((pair) => pair.startsWith('ssm:GetParameter '));
    deployment.granted.delete(ssm as string);
    deployment.granted.add(
      'ssm:GetParameter arn:aws:ssm:eu-central-1:123456789012:parameter/rez/dev/session-key',
    );
    expect(compare(needsOf('worker', deployment), deployment.granted)).toEqual({
      missing: [ssm],
      unused: [
        `sqs:PurgeQueue ${queue}`,
        'ssm:GetParameter arn:aws:ssm:eu-central-1:123456789012:parameter/rez/dev/session-key',
      ],
    });
  });

  it('when a role may be passed to any service, or the schedules of another group be managed', () => {
    const deployment = deployed(runs.dev, 'web');
    const pass = [...deployment.granted].find((pair) => pair.startsWith('iam:PassRole '));
    expect(pass).toMatch(
      /^iam:PassRole arn:aws:iam::\d{12}:role\/rez\/dev\/\S+ to scheduler\.amazonaws\.com$/,
    );
    const unconditioned = (pass as string).replace(/ to scheduler\.amazonaws\.com$/, '');
    deployment.granted.delete(pass as string);
    deployment.granted.add(unconditioned);
    const create = [...deployment.granted].find((pair) => pair.startsWith('scheduler:CreateSchedule '));
    expect(create).toMatch(/:schedule\/rez-dev-user-schedules\/\*$/);
    deployment.granted.delete(create as string);
    deployment.granted.add(
      'scheduler:CreateSchedule arn:aws:scheduler:eu-central-1:123456789012:schedule/*/*',
    );
    expect(compare(needsOf('web', deployment), deployment.granted)).toEqual({
      missing: [create, pass].sort(),
      unused: [
        'scheduler:CreateSchedule arn:aws:scheduler:eu-central-1:123456789012:schedule/*/*',
        unconditioned,
      ].sort(),
    });
  });

  it('when a statement carries a condition it cannot read', () => {
    expect(() =>
      passedToService({
        Sid: 'Tagged',
        Action: ['dynamodb:GetItem'],
        Resource: ['*'],
        Condition: { StringEquals: { 'aws:ResourceTag/stage': 'dev' } },
      }),
    ).toThrow('statement Tagged: a condition other than iam:PassedToService on iam:PassRole');
  });

  it('when the code calls an action nobody said the resource of', () => {
    const deployment = worker();
    const calls = new Set([...actionsOf('worker', deployment).actions, 'sqs:PurgeQueue']);
    expect(() => needed('worker', calls, deployment)).toThrow(
      'rez-dev-worker: its bundle can call sqs:PurgeQueue, and TARGETS (infra/tests/iam-code.test.ts) does not say on what',
    );
  });
});
