/**
 * The gRPC side of the provider STAND-INS (stand-ins for the official docker and command
 * provider plugins, which cannot be installed here): a resource provider plugin as the Pulumi
 * engine loads it. It serves `pulumirpc.ResourceProvider` with the service definition and
 * messages that ship in @pulumi/pulumi (proto/provider_grpc_pb), binds 127.0.0.1 and prints its
 * port, as a plugin must.
 *
 * The SDK's own `main(provider)` (@pulumi/pulumi/provider) is not enough for them: it answers
 * Configure without handing the provider its configuration (a render host's `host`), and its
 * Diff drops the changed-keys and detailed-diff lists through which the official providers tell
 * the engine what a step changes (the preview's `[diff: ~labels,ports]`).
 *
 * Values cross the wire as the engine sends them to a provider that accepts no secrets and no
 * resource references (Configure answers so): plain JSON, with the engine's sentinel string for
 * a value unknown during preview.
 */
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as anyproto from "google-protobuf/google/protobuf/any_pb";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";

/** The engine's marker for a value not known until `up` (sdk/go/common/resource/plugin/rpc.go, UnknownStringValue). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Properties = Record<string, unknown>;

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** True when `value` is or holds a value unknown during preview. */
export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/** PropertyDiff kinds (pulumirpc.PropertyDiff.Kind). */
export type DiffKind = "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";

/** What Diff answers: the shape of pulumirpc.DiffResponse. */
export interface DiffAnswer {
  readonly changes: boolean;
  /** Top-level properties whose change replaces the resource. */
  readonly replaces?: readonly string[];
  /** Top-level properties that changed. */
  readonly diffs?: readonly string[];
  /** Property paths ("ports[0].external") and their kind of change. */
  readonly detailedDiff?: Readonly<Record<string, DiffKind>>;
  readonly deleteBeforeReplace?: boolean;
}

export interface CheckAnswer {
  readonly inputs: Properties;
  readonly failures?: readonly { property: string; reason: string }[];
}

export interface ReadAnswer {
  /** Empty when the resource no longer exists: the engine then drops it from the state. */
  readonly id: string;
  readonly properties: Properties;
  readonly inputs?: Properties;
}

/** The resource a call is about: its name, and where its progress lines go (the engine's log, as info). */
export interface Target {
  readonly name: string;
  log(line: string): void;
}

/** One resource type of a provider. */
export interface ResourceType {
  check(target: Target, olds: Properties, news: Properties): Promise<CheckAnswer>;
  diff(target: Target, id: string, oldInputs: Properties, olds: Properties, news: Properties): Promise<DiffAnswer>;
  /** With `preview`, nothing is made: the answer is what `up` would record, unknowns included. */
  create(
    target: Target,
    inputs: Properties,
    timeoutSeconds: number,
    preview: boolean,
  ): Promise<{ id: string; properties: Properties }>;
  read(target: Target, id: string, properties: Properties, inputs: Properties): Promise<ReadAnswer>;
  update(
    target: Target,
    id: string,
    olds: Properties,
    news: Properties,
    oldInputs: Properties,
    preview: boolean,
  ): Promise<{ properties: Properties }>;
  delete(target: Target, id: string, properties: Properties, oldInputs: Properties): Promise<void>;
}

export interface StandInProvider {
  readonly name: string;
  readonly version: string;
  /** Whether the engine asks create and update for their outcome during preview (ConfigureResponse). */
  readonly supportsPreview: boolean;
  /** The provider's own configuration (`pulumi:providers:<name>` inputs). */
  checkConfig(olds: Properties, news: Properties): CheckAnswer;
  diffConfig(olds: Properties, news: Properties): DiffAnswer;
  configure(config: Properties): void | Promise<void>;
  readonly resources: Readonly<Record<string, ResourceType>>;
}

/**
 * An error for a resource that was made but did not come up: the engine keeps it in the state
 * with these properties and fails the step (pulumirpc.ErrorResourceInitFailed).
 */
export class ResourceInitFailed extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Properties,
    readonly inputs: Properties,
  ) {
    super(message);
  }
}

function toJs(struct: structproto.Struct | undefined): Properties {
  return (struct?.toJavaScript() ?? {}) as Properties;
}

function toStruct(value: Properties): structproto.Struct {
  // Struct.fromJavaScript drops undefined; null stays null.
  return structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value)) as Record<string, never>);
}

/** The resource name of a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The resource type of a URN, without its parents' types. */
export function urnType(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.slice(qualified.lastIndexOf("$") + 1);
}

const DIFF_KINDS: Record<DiffKind, number> = {
  add: provproto.PropertyDiff.Kind.ADD,
  "add-replace": provproto.PropertyDiff.Kind.ADD_REPLACE,
  delete: provproto.PropertyDiff.Kind.DELETE,
  "delete-replace": provproto.PropertyDiff.Kind.DELETE_REPLACE,
  update: provproto.PropertyDiff.Kind.UPDATE,
  "update-replace": provproto.PropertyDiff.Kind.UPDATE_REPLACE,
};

function diffResponse(answer: DiffAnswer): provproto.DiffResponse {
  const response = new provproto.DiffResponse();
  response.setChanges(
    answer.changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE,
  );
  response.setReplacesList([...(answer.replaces ?? [])]);
  response.setDiffsList([...(answer.diffs ?? [])]);
  response.setDeletebeforereplace(answer.deleteBeforeReplace ?? false);
  if (answer.detailedDiff !== undefined) {
    response.setHasdetaileddiff(true);
    const map = response.getDetaileddiffMap();
    for (const [path, kind] of Object.entries(answer.detailedDiff)) {
      const diff = new provproto.PropertyDiff();
      diff.setKind(DIFF_KINDS[kind] as provproto.PropertyDiff.Kind);
      diff.setInputdiff(true);
      map.set(path, diff);
    }
  }
  return response;
}

function checkResponse(answer: CheckAnswer): provproto.CheckResponse {
  const response = new provproto.CheckResponse();
  response.setInputs(toStruct(answer.inputs));
  response.setFailuresList(
    (answer.failures ?? []).map((failure) => {
      const entry = new provproto.CheckFailure();
      entry.setProperty(failure.property);
      entry.setReason(failure.reason);
      return entry;
    }),
  );
  return response;
}

type Callback<T> = (error: grpc.ServiceError | null, value?: T, trailer?: grpc.Metadata) => void;

function grpcError(error: unknown): grpc.ServiceError {
  const message = error instanceof Error ? error.message : String(error);
  const metadata = new grpc.Metadata();
  if (error instanceof ResourceInitFailed) {
    const detail = new provproto.ErrorResourceInitFailed();
    detail.setId(error.id);
    detail.setProperties(toStruct(error.properties));
    detail.setInputs(toStruct(error.inputs));
    detail.setReasonsList([message]);
    const any = new anyproto.Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusproto.Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(message);
    status.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return Object.assign(new Error(message), { code: grpc.status.UNKNOWN, details: message, metadata });
}

/** Runs `work` and answers the call with its result or its error. */
function answer<T>(callback: Callback<T>, work: () => Promise<T> | T): void {
  Promise.resolve()
    .then(work)
    .then(
      (value) => callback(null, value),
      (error: unknown) => {
        const serviceError = grpcError(error);
        callback(serviceError, undefined, serviceError.metadata);
      },
    );
}

/**
 * Sends a resource's progress to the engine, which shows it under the resource
 * (pulumirpc.Engine/Log), one line after the other so they keep their order.
 */
class EngineLog {
  private readonly client: enginerpc.EngineClient | undefined;
  private sent: Promise<void> = Promise.resolve();
  constructor(address: string | undefined) {
    this.client =
      address === undefined ? undefined : new enginerpc.EngineClient(address, grpc.credentials.createInsecure());
  }

  target(urn: string): Target {
    return {
      name: urnName(urn),
      log: (line: string) => {
        if (this.client === undefined) return;
        const request = new engineproto.LogRequest();
        request.setSeverity(engineproto.LogSeverity.INFO);
        request.setMessage(line);
        request.setUrn(urn);
        const client = this.client;
        this.sent = this.sent.then(() => new Promise<void>((resolve) => client.log(request, () => resolve())));
      },
    };
  }
}

function resourceType(provider: StandInProvider, urn: string): ResourceType {
  const type = urnType(urn);
  const handler = provider.resources[type];
  if (handler === undefined) {
    throw new Error(
      `${provider.name} stand-in: resource type ${type} is not implemented (only ${Object.keys(provider.resources).join(", ")})`,
    );
  }
  return handler;
}

function service(provider: StandInProvider, engine: EngineLog): grpc.UntypedServiceImplementation {
  return {
    getPluginInfo(_call: unknown, callback: Callback<plugproto.PluginInfo>) {
      const info = new plugproto.PluginInfo();
      info.setVersion(provider.version);
      callback(null, info);
    },
    getSchema(_call: unknown, callback: Callback<provproto.GetSchemaResponse>) {
      const response = new provproto.GetSchemaResponse();
      response.setSchema(JSON.stringify({ name: provider.name, version: provider.version }));
      callback(null, response);
    },
    checkConfig(call: { request: provproto.CheckRequest }, callback: Callback<provproto.CheckResponse>) {
      answer(callback, () =>
        checkResponse(provider.checkConfig(toJs(call.request.getOlds()), toJs(call.request.getNews()))),
      );
    },
    diffConfig(call: { request: provproto.DiffRequest }, callback: Callback<provproto.DiffResponse>) {
      answer(callback, () =>
        diffResponse(provider.diffConfig(toJs(call.request.getOldInputs()), toJs(call.request.getNews()))),
      );
    },
    configure(call: { request: provproto.ConfigureRequest }, callback: Callback<provproto.ConfigureResponse>) {
      answer(callback, async () => {
        await provider.configure(toJs(call.request.getArgs()));
        const response = new provproto.ConfigureResponse();
        response.setAcceptsecrets(false);
        response.setAcceptresources(false);
        response.setAcceptoutputs(false);
        response.setSupportspreview(provider.supportsPreview);
        return response;
      });
    },
    check(call: { request: provproto.CheckRequest }, callback: Callback<provproto.CheckResponse>) {
      answer(callback, async () => {
        const urn = call.request.getUrn();
        const result = await resourceType(provider, urn).check(
          engine.target(urn),
          toJs(call.request.getOlds()),
          toJs(call.request.getNews()),
        );
        return checkResponse(result);
      });
    },
    diff(call: { request: provproto.DiffRequest }, callback: Callback<provproto.DiffResponse>) {
      answer(callback, async () => {
        const request = call.request;
        const urn = request.getUrn();
        const result = await resourceType(provider, urn).diff(
          engine.target(urn),
          request.getId(),
          toJs(request.getOldInputs()),
          toJs(request.getOlds()),
          toJs(request.getNews()),
        );
        return diffResponse(result);
      });
    },
    create(call: { request: provproto.CreateRequest }, callback: Callback<provproto.CreateResponse>) {
      answer(callback, async () => {
        const request = call.request;
        const urn = request.getUrn();
        const result = await resourceType(provider, urn).create(
          engine.target(urn),
          toJs(request.getProperties()),
          request.getTimeout(),
          request.getPreview(),
        );
        const response = new provproto.CreateResponse();
        response.setId(result.id);
        response.setProperties(toStruct(result.properties));
        return response;
      });
    },
    read(call: { request: provproto.ReadRequest }, callback: Callback<provproto.ReadResponse>) {
      answer(callback, async () => {
        const request = call.request;
        const urn = request.getUrn();
        const result = await resourceType(provider, urn).read(
          engine.target(urn),
          request.getId(),
          toJs(request.getProperties()),
          toJs(request.getInputs()),
        );
        const response = new provproto.ReadResponse();
        response.setId(result.id);
        response.setProperties(toStruct(result.properties));
        if (result.inputs !== undefined) response.setInputs(toStruct(result.inputs));
        return response;
      });
    },
    update(call: { request: provproto.UpdateRequest }, callback: Callback<provproto.UpdateResponse>) {
      answer(callback, async () => {
        const request = call.request;
        const urn = request.getUrn();
        const result = await resourceType(provider, urn).update(
          engine.target(urn),
          request.getId(),
          toJs(request.getOlds()),
          toJs(request.getNews()),
          toJs(request.getOldInputs()),
          request.getPreview(),
        );
        const response = new provproto.UpdateResponse();
        response.setProperties(toStruct(result.properties));
        return response;
      });
    },
    delete(call: { request: provproto.DeleteRequest }, callback: Callback<emptyproto.Empty>) {
      answer(callback, async () => {
        const request = call.request;
        const urn = request.getUrn();
        await resourceType(provider, urn).delete(
          engine.target(urn),
          request.getId(),
          toJs(request.getProperties()),
          toJs(request.getOldInputs()),
        );
        return new emptyproto.Empty();
      });
    },
    cancel(_call: unknown, callback: Callback<emptyproto.Empty>) {
      callback(null, new emptyproto.Empty());
    },
    attach(_call: unknown, callback: Callback<emptyproto.Empty>) {
      callback(null, new emptyproto.Empty());
    },
  };
}

/**
 * Serves `provider` on 127.0.0.1 and prints the port for the engine, as a plugin does. The
 * engine starts a plugin with its own address as the first argument.
 */
export async function serve(provider: StandInProvider, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const engineAddress = argv.find((argument) => !argument.startsWith("-"));
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, service(provider, new EngineLog(engineAddress)));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  process.stdout.write(`${port}\n`);
}
