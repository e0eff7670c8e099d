import type { PeerCertificate } from "node:tls";
import { describe, expect, it } from "vitest";
import { certificateNames, subjectAltNames } from "../../src/tenants/certificate-names.js";

const cert = (fields: object) => fields as PeerCertificate;

describe("certificateNames", () => {
  it("lists the common name, then DNS and URI names, leaving out IP addresses and e-mail", () => {
    expect(
      certificateNames(
        cert({
          subject: { CN: "acme-reporter", O: "Acme" },
          subjectaltname:
            "DNS:reporter.acme.example, IP Address:127.0.0.1, URI:spiffe://acme/reporter, email:a@b.c",
        }),
      ),
    ).toEqual(["acme-reporter", "reporter.acme.example", "spiffe://acme/reporter"]);
  });

  it("lists every common name of a subject that repeats it", () => {
    expect(certificateNames(cert({ subject: { CN: ["a", "b"] } }))).toEqual(["a", "b"]);
  });

  it("has no names without a certificate (grpc-js gives an empty object)", () => {
    expect(certificateNames(undefined)).toEqual([]);
    expect(certificateNames(cert({}))).toEqual([]);
  });
});

describe("subjectAltNames", () => {
  it("decodes the quoted values Node gives for names with commas", () => {
    expect(subjectAltNames('DNS:"a,b.example", DNS:c.example')).toEqual([
      ["DNS", "a,b.example"],
      ["DNS", "c.example"],
    ]);
  });

  it("returns nothing for an empty string", () => {
    expect(subjectAltNames("")).toEqual([]);
  });
});
