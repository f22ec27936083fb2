import { canonicalAddress } from "../../types/address";
import { ModelStatus } from "../../gen/blockai/registry/v1/registry";
import { RegistryErrors } from "./errors";

/** Bounds of a model's text fields, in UTF-8 bytes (documented in docs/models.md). */
export const LIMITS = {
  name: 128,
  version: 64,
  task: 64,
  description: 2048,
  uri: 512,
  unit: 32,
  artifactDigest: 32,
  /** Hard cap on operators regardless of params (keeps a model record small). */
  operatorsHardCap: 100,
} as const;

// Task and unit are identifiers (indexed, compared exactly): lowercase tokens.
const TASK_RE = /^[a-z0-9][a-z0-9._/-]*$/;
const UNIT_RE = /^[a-z0-9][a-z0-9._-]*$/;
// URIs are checked with a fixed grammar (no platform URL parser: consensus must not depend on the
// Node version): scheme "://" then printable ASCII without spaces.
const URI_RE = /^[a-z][a-z0-9+.-]{0,15}:\/\/[\x21-\x7e]+$/;
const ENDPOINT_SCHEMES = new Set(["https", "http", "grpc", "grpcs", "wss", "ws"]);
// Text fields: no control characters (they break logs, explorers and CLIs).
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

export function checkText(value: string, field: string, max: number, opts: { required?: boolean; multiline?: boolean } = {}): void {
  if (opts.required && value.length === 0) throw RegistryErrors.InvalidModel.wrap(`${field} must not be empty`);
  const n = utf8Length(value);
  if (n > max) throw RegistryErrors.InvalidModel.wrap(`${field} is ${n} bytes, at most ${max} allowed`);
  if (CONTROL_RE.test(value) || (!opts.multiline && /[\n\r\t]/.test(value))) {
    throw RegistryErrors.InvalidModel.wrap(`${field} contains control characters`);
  }
  if (value !== value.trim()) throw RegistryErrors.InvalidModel.wrap(`${field} has leading or trailing whitespace`);
}

export function checkTask(task: string): void {
  checkText(task, "task", LIMITS.task, { required: true });
  if (!TASK_RE.test(task)) throw RegistryErrors.InvalidModel.wrap(`task "${task}" must match ${TASK_RE.source}`);
}

export function checkUnit(unit: string): void {
  checkText(unit, "unit", LIMITS.unit, { required: true });
  if (!UNIT_RE.test(unit)) throw RegistryErrors.InvalidModel.wrap(`unit "${unit}" must match ${UNIT_RE.source}`);
}

/** An optional URI: empty, or scheme://printable-ASCII of at most LIMITS.uri bytes. */
export function checkUri(uri: string, field: string, schemes?: ReadonlySet<string>): void {
  if (uri === "") return;
  if (uri.length > LIMITS.uri) throw RegistryErrors.InvalidModel.wrap(`${field} is ${uri.length} bytes, at most ${LIMITS.uri} allowed`);
  if (!URI_RE.test(uri)) throw RegistryErrors.InvalidModel.wrap(`${field} "${uri}" is not a URI (scheme://..., printable ASCII, no spaces)`);
  const scheme = uri.slice(0, uri.indexOf(":"));
  if (schemes && !schemes.has(scheme)) {
    throw RegistryErrors.InvalidModel.wrap(`${field} scheme "${scheme}" is not one of ${[...schemes].join(", ")}`);
  }
}

export function checkEndpoint(endpoint: string): void {
  checkUri(endpoint, "endpoint", ENDPOINT_SCHEMES);
}

export function checkArtifactDigest(digest: Uint8Array): void {
  if (digest.length !== LIMITS.artifactDigest) {
    throw RegistryErrors.InvalidArtifactDigest.wrap(`got ${digest.length} bytes`);
  }
}

/** weights_root is optional: empty, or a 32-byte Merkle root (docs/pow-matmul.md). */
export function checkWeightsRoot(root: Uint8Array): void {
  if (root.length !== 0 && root.length !== 32) {
    throw RegistryErrors.InvalidArtifactDigest.wrap(`weights_root must be empty or 32 bytes, got ${root.length}`);
  }
}

/** Operators: valid addresses, no duplicates (nor the owner), at most the hard cap. Returns them canonical. */
export function checkOperators(operators: readonly string[], owner: string): string[] {
  if (operators.length > LIMITS.operatorsHardCap) {
    throw RegistryErrors.InvalidOperators.wrap(`${operators.length} operators, at most ${LIMITS.operatorsHardCap}`);
  }
  const out: string[] = [];
  for (const [i, op] of operators.entries()) {
    const c = canonicalAddress(op, `operators[${i}]`);
    if (c === owner) throw RegistryErrors.InvalidOperators.wrap(`operators[${i}] is the owner`);
    if (out.includes(c)) throw RegistryErrors.InvalidOperators.wrap(`operators[${i}] ${c} is a duplicate`);
    out.push(c);
  }
  return out;
}

export const SETTABLE_STATUSES: ReadonlySet<ModelStatus> = new Set([ModelStatus.MODEL_STATUS_ACTIVE, ModelStatus.MODEL_STATUS_PAUSED, ModelStatus.MODEL_STATUS_RETIRED]);

/** The descriptive fields of a model (register, update, genesis). */
export function checkDescriptive(m: { name: string; version: string; task: string; description: string; artifactUri: string; endpoint: string; unit: string }): void {
  checkText(m.name, "name", LIMITS.name, { required: true });
  checkText(m.version, "version", LIMITS.version, { required: true });
  checkTask(m.task);
  checkText(m.description, "description", LIMITS.description, { multiline: true });
  checkUri(m.artifactUri, "artifact_uri");
  checkEndpoint(m.endpoint);
  checkUnit(m.unit);
}
