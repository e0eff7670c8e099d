import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { answerReflection, productDescriptors } from "../../src/grpc/reflection.js";

const index = productDescriptors();
const names = (bytes: Uint8Array[] | undefined) =>
  (bytes ?? []).map((b) => fromBinary(FileDescriptorProtoSchema, b).name);

describe("reflection's descriptor index", () => {
  it("holds every proto file under its own path, and every dependency it names", () => {
    const files = index.fileNames;
    expect(files).toEqual(
      expect.arrayContaining([
        "auth/auth.proto",
        "events/events.proto",
        "tenants/tenants.proto",
        "grpc/health/v1/health.proto",
        "grpc/reflection/v1/reflection.proto",
        "grpc/reflection/v1alpha/reflection.proto",
        "google/protobuf/timestamp.proto",
      ]),
    );
    for (const file of files) {
      const proto = fromBinary(FileDescriptorProtoSchema, index.withDependencies(file)![0]!);
      expect(proto.name).toBe(file);
      for (const dependency of proto.dependency)
        expect(files, `${file} imports ${dependency}`).toContain(dependency);
    }
  });

  it.each([
    ["auth.AuthService", "auth/auth.proto"],
    ["auth.AuthService.StreamEvents", "auth/auth.proto"],
    [".auth.StreamEvent", "auth/auth.proto"],
    ["events.OneOf", "events/events.proto"],
    ["grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto"],
    ["google.protobuf.Timestamp", "google/protobuf/timestamp.proto"],
  ])("finds %s in %s", (symbol, file) => {
    expect(index.fileOfSymbol(symbol)).toBe(file);
  });

  it("answers a file with its transitive dependencies, the file first, each once", () => {
    const files = names(index.withDependencies("auth/auth.proto"));
    expect(files[0]).toBe("auth/auth.proto");
    expect(files).toContain("events/events.proto");
    expect(new Set(files).size).toBe(files.length);
  });
});

describe("answerReflection", () => {
  const services = ["tenants.TenantsService", "grpc.health.v1.Health"];

  it("lists the services, sorted", () => {
    const response = answerReflection(index, services, {
      host: "",
      messageRequest: { $case: "listServices", value: "*" },
    });
    expect(response.messageResponse).toEqual({
      $case: "listServicesResponse",
      value: { service: [{ name: "grpc.health.v1.Health" }, { name: "tenants.TenantsService" }] },
    });
  });

  it.each([
    { $case: "fileByFilename" as const, value: "no/such.proto" },
    { $case: "fileContainingSymbol" as const, value: "no.Such" },
    { $case: "allExtensionNumbersOfType" as const, value: "no.Such" },
    {
      $case: "fileContainingExtension" as const,
      value: { containingType: "auth.StreamEvent", extensionNumber: 5 },
    },
  ])("answers NOT_FOUND for %o, echoing the request", (messageRequest) => {
    const request = { host: "h", messageRequest };
    const response = answerReflection(index, services, request);
    expect(response.validHost).toBe("h");
    expect(response.originalRequest).toEqual(request);
    expect(response.messageResponse?.$case).toBe("errorResponse");
    expect(
      response.messageResponse?.$case === "errorResponse" && response.messageResponse.value.errorCode,
    ).toBe(5);
  });

  it("answers a request without a question with INVALID_ARGUMENT", () => {
    const response = answerReflection(index, services, { host: "", messageRequest: undefined });
    expect(response.messageResponse).toMatchObject({ $case: "errorResponse", value: { errorCode: 3 } });
  });

  it("answers a known type's extension numbers as none", () => {
    const response = answerReflection(index, services, {
      host: "",
      messageRequest: { $case: "allExtensionNumbersOfType", value: "auth.StreamEvent" },
    });
    expect(response.messageResponse).toEqual({
      $case: "allExtensionNumbersResponse",
      value: { baseTypeName: "auth.StreamEvent", extensionNumber: [] },
    });
  });
});
