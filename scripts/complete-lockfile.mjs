#!/usr/bin/env node
// The registry this project installs from serves only some platforms' builds of packages that ship native
// binaries as optional dependencies (buf, DuckDB). npm then leaves the other platforms out of
// package-lock.json, and `npm ci` refuses the lock as out of sync. This adds the missing optional entries
// with their platform constraints, so `npm ci` skips them on platforms that do not match. Run it after
// `npm install` changes the lock: `npm run lockfile:complete`.
import { readFileSync, writeFileSync } from "node:fs";

const PLATFORM = /-(darwin|linux|win32)-(arm64|x64|armv7|aarch64|ia32)(-musl)?$/;
const CPU = { armv7: "arm", aarch64: "arm64" };

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const packages = lock.packages;
const added = [];
for (const entry of Object.values(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (key in packages) continue;
    const match = PLATFORM.exec(name);
    if (!match) continue;
    const [, os, cpu, musl] = match;
    packages[key] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [os],
      cpu: [CPU[cpu] ?? cpu],
      ...(musl ? { libc: ["musl"] } : {}),
    };
    added.push(`${name}@${version}`);
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length === 0 ? "lockfile complete" : `added ${added.length}: ${added.join(", ")}`);
