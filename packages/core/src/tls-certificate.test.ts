import { makeCertificate } from "@hookyard/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { tlsCertProblem } from "./tls-certificate.js";

describe("tlsCertProblem", () => {
  let cert: string;
  let key: string;
  beforeAll(async () => {
    ({ cert, key } = await makeCertificate());
  });

  it("takes one certificate or a bundle of them", () => {
    expect(tlsCertProblem(cert)).toBeNull();
    expect(tlsCertProblem(`${cert}\n${cert}`)).toBeNull();
  });

  it("refuses text that is not a certificate, a key beside one, and a damaged certificate", () => {
    expect(tlsCertProblem("hello")).toMatch(/^tlsCert: must hold PEM certificates/);
    expect(tlsCertProblem(`${cert}\n${key}`)).toMatch(/other text, such as a private key/);
    const damaged = cert.replace(/\n[A-Za-z0-9+/]{20}/, "\nAAAAAAAAAAAAAAAAAAAA");
    expect(tlsCertProblem(damaged)).toMatch(/certificate 1 of 1 is not a valid/);
  });
});
