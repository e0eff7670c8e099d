import { fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  type DescriptorProto,
  type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { status as Status, type Server, type ServerDuplexStream } from "@grpc/grpc-js";
import { FILE_DESCRIPTOR_SET } from "../gen/file-descriptors.js";
import {
  ServerReflectionService as ReflectionV1,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from "../gen/grpc/reflection/v1/reflection.js";
import { ServerReflectionService as ReflectionV1Alpha } from "../gen/grpc/reflection/v1alpha/reflection.js";

/**
 * gRPC server reflection (`grpc.reflection.v1` and the older `v1alpha` that some clients still ask for),
 * served from the FileDescriptorSet `buf build` makes of proto/ (src/gen/file-descriptors.ts): real file
 * names and dependency lists, so grpcurl, Postman or a Python descriptor pool can describe every service
 * and message and build calls from reflection alone.
 */

/** What reflection knows: each file's serialized descriptor and dependencies, and where each symbol is. */
export class DescriptorIndex {
  readonly #files = new Map<string, { bytes: Uint8Array; dependencies: readonly string[] }>();
  readonly #symbols = new Map<string, string>();

  constructor(set: Uint8Array) {
    for (const file of fromBinary(FileDescriptorSetSchema, set).file) {
      this.#files.set(file.name, {
        bytes: toBinary(FileDescriptorProtoSchema, file),
        dependencies: file.dependency,
      });
      for (const symbol of fileSymbols(file)) this.#symbols.set(symbol, file.name);
    }
  }

  get fileNames(): string[] {
    return [...this.#files.keys()];
  }

  /** The file declaring a fully-qualified symbol (message, enum, service or method), if any. */
  fileOfSymbol(symbol: string): string | undefined {
    return this.#symbols.get(symbol.startsWith(".") ? symbol.slice(1) : symbol);
  }

  /** A file's descriptor first, then every file it depends on, transitively, each once. */
  withDependencies(name: string): Uint8Array[] | undefined {
    if (!this.#files.has(name)) return undefined;
    const order: string[] = [];
    const visit = (file: string): void => {
      if (order.includes(file)) return;
      order.push(file);
      for (const dependency of this.#files.get(file)?.dependencies ?? []) visit(dependency);
    };
    visit(name);
    return order.flatMap((file) => {
      const found = this.#files.get(file);
      return found === undefined ? [] : [found.bytes];
    });
  }
}

function fileSymbols(file: FileDescriptorProto): string[] {
  const prefix = file.package === "" ? "" : `${file.package}.`;
  const messages = (types: readonly DescriptorProto[], scope: string): string[] =>
    types.flatMap((type) => {
      const name = `${scope}${type.name}`;
      return [
        name,
        ...type.enumType.map((e) => `${name}.${e.name}`),
        ...messages(type.nestedType, `${name}.`),
      ];
    });
  return [
    ...messages(file.messageType, prefix),
    ...file.enumType.map((e) => `${prefix}${e.name}`),
    ...file.service.flatMap((s) => [
      `${prefix}${s.name}`,
      ...s.method.map((m) => `${prefix}${s.name}.${m.name}`),
    ]),
  ];
}

let defaultIndex: DescriptorIndex | undefined;

/** The index of the product's own protos, decoded once per process. */
export function productDescriptors(): DescriptorIndex {
  defaultIndex ??= new DescriptorIndex(Buffer.from(FILE_DESCRIPTOR_SET, "base64"));
  return defaultIndex;
}

/** The answer to one reflection request; `services` are the names the server serves. */
export function answerReflection(
  index: DescriptorIndex,
  services: readonly string[],
  request: ServerReflectionRequest,
): ServerReflectionResponse {
  const base = { validHost: request.host, originalRequest: request };
  const files = (bytes: Uint8Array[] | undefined, what: string): ServerReflectionResponse =>
    bytes === undefined
      ? { ...base, messageResponse: notFound(what) }
      : {
          ...base,
          messageResponse: {
            $case: "fileDescriptorResponse",
            value: { fileDescriptorProto: bytes.map((b) => Buffer.from(b)) },
          },
        };
  const message = request.messageRequest;
  switch (message?.$case) {
    case "listServices":
      return {
        ...base,
        messageResponse: {
          $case: "listServicesResponse",
          value: { service: [...services].sort().map((name) => ({ name })) },
        },
      };
    case "fileByFilename":
      return files(index.withDependencies(message.value), `file ${JSON.stringify(message.value)}`);
    case "fileContainingSymbol": {
      const file = index.fileOfSymbol(message.value);
      return files(
        file === undefined ? undefined : index.withDependencies(file),
        `symbol ${JSON.stringify(message.value)}`,
      );
    }
    case "fileContainingExtension":
      return { ...base, messageResponse: notFound("extensions: the protos declare none") };
    case "allExtensionNumbersOfType":
      if (index.fileOfSymbol(message.value) === undefined) {
        return { ...base, messageResponse: notFound(`type ${JSON.stringify(message.value)}`) };
      }
      return {
        ...base,
        messageResponse: {
          $case: "allExtensionNumbersResponse",
          value: { baseTypeName: message.value, extensionNumber: [] },
        },
      };
    case undefined:
      return {
        ...base,
        messageResponse: {
          $case: "errorResponse",
          value: { errorCode: Status.INVALID_ARGUMENT, errorMessage: "the request names no question" },
        },
      };
  }
}

function notFound(what: string): ServerReflectionResponse["messageResponse"] {
  return {
    $case: "errorResponse",
    value: { errorCode: Status.NOT_FOUND, errorMessage: `${what} not found`.slice(0, 512) },
  };
}

/**
 * Adds both reflection services. `services` is read at each request, so services added later are listed;
 * the reflection and health services list themselves.
 */
export function addReflection(
  server: Pick<Server, "addService">,
  services: () => readonly string[],
  index: DescriptorIndex = productDescriptors(),
): void {
  const handler = (call: ServerDuplexStream<ServerReflectionRequest, ServerReflectionResponse>): void => {
    call.on("data", (request: ServerReflectionRequest) => {
      call.write(answerReflection(index, services(), request));
    });
    call.on("end", () => call.end());
    call.on("error", () => call.end());
  };
  server.addService(ReflectionV1, { serverReflectionInfo: handler });
  server.addService(ReflectionV1Alpha, { serverReflectionInfo: handler });
}
