"""A reflection-only gRPC client, as grpcurl works: it knows no proto of the server's.

It lists the services through grpc.reflection.v1 (stubs compiled by the test from the reflection proto),
loads every file the server describes into a descriptor pool (which fails on a wrong file name or a
missing dependency), resolves every service, method and message, then (on an events server) calls
StreamEvents with request and response classes made from those descriptors alone. Prints one JSON object.
"""

import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

import reflection_pb2
import reflection_pb2_grpc

port, token = sys.argv[1], sys.argv[2]
channel = grpc.insecure_channel("127.0.0.1:" + port)
stub = reflection_pb2_grpc.ServerReflectionStub(channel)


def ask(**request):
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(**request)]), timeout=30)
    return next(iter(responses))


services = [s.name for s in ask(list_services="*").list_services_response.service]
files = {}
for service in services:
    response = ask(file_containing_symbol=service)
    if response.HasField("error_response"):
        raise SystemExit("no file for %s: %s" % (service, response.error_response.error_message))
    for raw in response.file_descriptor_response.file_descriptor_proto:
        proto = descriptor_pb2.FileDescriptorProto.FromString(raw)
        files[proto.name] = proto

pool = descriptor_pool.DescriptorPool()
added = set()
while len(added) < len(files):
    ready = [f for n, f in files.items() if n not in added and all(d in added for d in f.dependency)]
    if not ready:
        missing = sorted({d for f in files.values() for d in f.dependency if d not in files})
        raise SystemExit("unresolvable dependencies: %s" % missing)
    for f in ready:
        pool.Add(f)
        added.add(f.name)

methods, messages = [], []
for service in services:
    descriptor = pool.FindServiceByName(service)
    for method in descriptor.methods:
        methods.append(method.full_name)
        messages.extend([method.input_type.full_name, method.output_type.full_name])


def walk(prefix, types):
    for t in types:
        messages.append(prefix + t.name)
        walk(prefix + t.name + ".", t.nested_type)


for f in files.values():
    walk(f.package + "." if f.package else "", f.message_type)
resolved = sorted({pool.FindMessageTypeByName(m).full_name for m in messages})

cursors = []
if "auth.AuthService" in services:
    method = pool.FindMethodByName("auth.AuthService.StreamEvents")
    # protobuf 4.21 (Debian 12) has MessageFactory.GetPrototype; later releases GetMessageClass.
    message_class = getattr(message_factory, "GetMessageClass", None) or message_factory.MessageFactory(pool).GetPrototype
    request_class = message_class(method.input_type)
    response_class = message_class(method.output_type)
    request = request_class()
    request.until_caught_up = True
    call = channel.unary_stream(
        "/auth.AuthService/StreamEvents",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=response_class.FromString,
    )
    cursors = [r.cursor for r in call(request, metadata=(("authorization", "Bearer " + token),), timeout=60)]
print(json.dumps({
    "services": sorted(services),
    "files": sorted(files),
    "methods": sorted(methods),
    "messages": resolved,
    "streamed": len(cursors),
    "last_cursor": cursors[-1] if cursors else "",
}))
