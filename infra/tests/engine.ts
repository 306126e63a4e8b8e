/**
 * A stand-in for the Pulumi engine at its gRPC seam: the ResourceMonitor and
 * Engine services a program's `@pulumi/pulumi` runtime talks to. Pulumi's own
 * `cmd/run` (the entry the nodejs language host starts) connects to it through
 * `--monitor` / `--engine`, exactly as it connects to the CLI, so everything
 * before the seam — run.js, ts-node, the tsconfig lookup, config parsing, the
 * program — is the real thing. Registrations are recorded and answered with
 * fake provider state; invokes are answered by {@link mockCall}.
 */
import { createRequire } from 'node:module';
import type * as Grpc from '@grpc/grpc-js';
import { fakeState, mockCall } from './fakes';

// The copies @pulumi/pulumi itself uses, so the service definitions and the server agree.
const fromPulumi = createRequire(require.resolve('@pulumi/pulumi'));
const grpc: typeof Grpc = fromPulumi('@grpc/grpc-js');
const structpb = fromPulumi('google-protobuf/google/protobuf/struct_pb');
const emptypb = fromPulumi('google-protobuf/google/protobuf/empty_pb');
const resourceGrpc = fromPulumi('./proto/resource_grpc_pb');
const resourcePb = fromPulumi('./proto/resource_pb');
const providerPb = fromPulumi('./proto/provider_pb');
const engineGrpc = fromPulumi('./proto/engine_grpc_pb');
const enginePb = fromPulumi('./proto/engine_pb');

/** Features the CLI's monitor reports; hooks and transforms need callback servers this stand-in does not run. */
const SUPPORTED_FEATURES = new Set([
  'secrets',
  'resourceReferences',
  'outputValues',
  'deletedWith',
  'replaceWith',
  'aliasSpecs',
  'parameterization',
]);

/** engine.proto LogSeverity. */
export const SEVERITY = ['debug', 'info', 'warning', 'error'] as const;

/** One `RegisterResource` (or `ReadResource`) as the engine received it; inputs in wire form (secrets wrapped). */
export interface Registration {
  type: string;
  name: string;
  urn: string;
  custom: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: resource inputs are untyped property bags
  inputs: Record<string, any>;
}

/** One `Engine.Log` call: what `pulumi preview` would print as a diagnostic. */
export interface LogEntry {
  severity: (typeof SEVERITY)[number];
  message: string;
  urn: string;
}

/** What the engine saw of one program run. */
export interface EngineRecord {
  registrations: Registration[];
  logs: LogEntry[];
  invokes: string[];
  /** `RegisterResourceOutputs` of the stack: the program's exports. */
  // biome-ignore lint/suspicious/noExplicitAny: stack outputs are untyped
  stackOutputs: Record<string, any> | undefined;
}

export interface MockEngine {
  /** `127.0.0.1:<port>`, for both `--monitor` and `--engine`. */
  address: string;
  record: EngineRecord;
  stop(): Promise<void>;
}

type Callback = (error: Grpc.ServiceError | null, response?: unknown) => void;
// biome-ignore lint/suspicious/noExplicitAny: generated protobuf request classes
type Call = { request: any };

function urnOf(stack: string, project: string, parentUrn: string, type: string, name: string): string {
  const qualified = parentUrn ? `${parentUrn.split('::')[2].split('$').pop()}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** Wraps a handler so a thrown error becomes a gRPC error the SDK reports, never a hung call. */
function unary(handler: (request: unknown) => unknown | Promise<unknown>) {
  return (call: Call, callback: Callback) => {
    Promise.resolve()
      .then(() => handler(call.request))
      .then(
        (response) => callback(null, response),
        (error: Error) =>
          callback(
            Object.assign(new Error(error.message), { code: grpc.status.UNKNOWN }) as Grpc.ServiceError,
          ),
      );
  };
}

/** Starts the stand-in engine on 127.0.0.1 for one stack of one project. */
export async function startMockEngine(project: string, stack: string): Promise<MockEngine> {
  const record: EngineRecord = { registrations: [], logs: [], invokes: [], stackOutputs: undefined };
  let rootUrn = '';
  // biome-ignore lint/suspicious/noExplicitAny: request classes are untyped here
  const register = (request: any, custom: boolean, id?: string) => {
    const type: string = request.getType();
    const name: string = request.getName();
    const urn = urnOf(stack, project, request.getParent(), type, name);
    const struct = custom && id !== undefined ? request.getProperties() : request.getObject();
    const inputs = (struct?.toJavaScript() ?? {}) as Record<string, unknown>;
    record.registrations.push({ type, name, urn, custom, inputs });
    const state = custom ? fakeState(type, name, inputs) : {};
    return { urn, id: custom ? (id ?? `${name}-id`) : '', state: structpb.Struct.fromJavaScript(state) };
  };

  const monitor = {
    supportsFeature: unary((request) => {
      const response = new resourcePb.SupportsFeatureResponse();
      response.setHassupport(SUPPORTED_FEATURES.has((request as { getId(): string }).getId()));
      return response;
    }),
    registerResource: unary((request) => {
      const { urn, id, state } = register(request, (request as { getCustom(): boolean }).getCustom());
      const response = new resourcePb.RegisterResourceResponse();
      response.setUrn(urn);
      response.setId(id);
      response.setObject(state);
      return response;
    }),
    readResource: unary((request) => {
      const { urn, state } = register(request, true, (request as { getId(): string }).getId());
      const response = new resourcePb.ReadResourceResponse();
      response.setUrn(urn);
      response.setProperties(state);
      return response;
    }),
    registerResourceOutputs: unary((request) => {
      // biome-ignore lint/suspicious/noExplicitAny: generated request class
      const r = request as any;
      if (r.getUrn() === rootUrn) record.stackOutputs = r.getOutputs()?.toJavaScript() ?? {};
      return new emptypb.Empty();
    }),
    invoke: unary(async (request) => {
      // biome-ignore lint/suspicious/noExplicitAny: generated request class
      const r = request as any;
      const token: string = r.getTok();
      record.invokes.push(token);
      const result = await mockCall({ token, inputs: r.getArgs()?.toJavaScript() ?? {}, provider: '' });
      const response = new providerPb.InvokeResponse();
      response.setReturn(structpb.Struct.fromJavaScript(result));
      return response;
    }),
    registerPackage: unary((request) => {
      const response = new resourcePb.RegisterPackageResponse();
      response.setRef(`package-${(request as { getName(): string }).getName()}`);
      return response;
    }),
    signalAndWaitForShutdown: unary(() => new emptypb.Empty()),
  };

  const engine = {
    log: unary((request) => {
      // biome-ignore lint/suspicious/noExplicitAny: generated request class
      const r = request as any;
      record.logs.push({ severity: SEVERITY[r.getSeverity()], message: r.getMessage(), urn: r.getUrn() });
      return new emptypb.Empty();
    }),
    getRootResource: unary(() => new enginePb.GetRootResourceResponse().setUrn(rootUrn)),
    setRootResource: unary((request) => {
      rootUrn = (request as { getUrn(): string }).getUrn();
      return new enginePb.SetRootResourceResponse();
    }),
  };

  const server = new grpc.Server();
  // Methods left out answer UNIMPLEMENTED, which the SDK reads as "not supported".
  server.addService(
    resourceGrpc.ResourceMonitorService,
    monitor as unknown as Grpc.UntypedServiceImplementation,
  );
  server.addService(engineGrpc.EngineService, engine as unknown as Grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    record,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
