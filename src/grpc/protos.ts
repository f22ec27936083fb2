import * as fs from "node:fs";
import * as path from "node:path";
import * as protobuf from "protobufjs";
import { repoRoot } from "../node/paths";

/**
 * The protobuf descriptors of every service the node serves, for the REST gateway (routes from
 * the google.api.http annotations, proto3 JSON) and gRPC reflection. Two sources:
 *
 * - the Cosmos SDK protos with their HTTP annotations, from the @protobufs/* packages (the
 *   cosmology-tech proto registry, SDK v0.46 era), imported as "cosmos/...", "tendermint/...",
 *   "gogoproto/...", "google/...";
 * - BLOCKAI's own protos in proto/ (imported as "blockai/..."). proto/cosmos holds wire-compatible
 *   subsets of two SDK files for ts-proto; here the full SDK files are used instead.
 */
export interface ProtoSources {
  /** Directory holding the @protobufs packages (cosmos/, tendermint/, google/, gogoproto/ ...). */
  registryDir: string;
  /** BLOCKAI's proto/ directory. */
  blockaiDir: string;
}

export function defaultProtoSources(): ProtoSources {
  return {
    registryDir: path.dirname(path.dirname(require.resolve("@protobufs/cosmos/package.json"))),
    blockaiDir: path.join(repoRoot(), "proto"),
  };
}

function protoFiles(dir: string, under: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.posix.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith(".proto")) out.push(r);
    }
  };
  walk(under);
  return out.sort();
}

/**
 * Fields newer SDK versions added to messages the registry has in their v0.46 form, which this
 * node serves (the codecs it answers with are cosmjs-types', SDK v0.50): without them the gateway
 * would drop `?query=` of GetTxsEvent and the total of its answer. Same numbers and types as in
 * the SDK.
 */
const NEWER_FIELDS: Array<[message: string, name: string, id: number, type: string]> = [
  ["cosmos.tx.v1beta1.GetTxsEventRequest", "page", 4, "uint64"],
  ["cosmos.tx.v1beta1.GetTxsEventRequest", "limit", 5, "uint64"],
  ["cosmos.tx.v1beta1.GetTxsEventRequest", "query", 6, "string"],
  ["cosmos.tx.v1beta1.GetTxsEventResponse", "total", 4, "uint64"],
];

/**
 * Methods and messages of SDK v0.47-v0.50 the node serves and the v0.46 registry lacks, written as
 * the SDK defines them (same names, numbers and HTTP paths), so they are routed and described too.
 */
const NEWER_DEFINITIONS: Array<{ package: string; source: string; methods: Array<[service: string, name: string, request: string, response: string, get: string]> }> = [
  {
    package: "cosmos.auth.v1beta1",
    source: `message QueryModuleAccountByNameRequest { string name = 1; }
      message QueryModuleAccountByNameResponse { .google.protobuf.Any account = 1; }`,
    methods: [["Query", "ModuleAccountByName", "QueryModuleAccountByNameRequest", "QueryModuleAccountByNameResponse", "/cosmos/auth/v1beta1/module_accounts/{name}"]],
  },
  {
    package: "cosmos.distribution.v1beta1",
    source: `message QueryValidatorDistributionInfoRequest { string validator_address = 1; }
      message QueryValidatorDistributionInfoResponse {
        string operator_address = 1;
        repeated .cosmos.base.v1beta1.DecCoin self_bond_rewards = 2;
        repeated .cosmos.base.v1beta1.DecCoin commission = 3;
      }`,
    methods: [["Query", "ValidatorDistributionInfo", "QueryValidatorDistributionInfoRequest", "QueryValidatorDistributionInfoResponse", "/cosmos/distribution/v1beta1/validators/{validator_address}"]],
  },
  {
    package: "cosmos.gov.v1",
    source: `message QueryConstitutionRequest {}
      message QueryConstitutionResponse { string constitution = 1; }
      message Params {
        repeated .cosmos.base.v1beta1.Coin min_deposit = 1;
        .google.protobuf.Duration max_deposit_period = 2;
        .google.protobuf.Duration voting_period = 3;
        string quorum = 4;
        string threshold = 5;
        string veto_threshold = 6;
        string min_initial_deposit_ratio = 7;
        string proposal_cancel_ratio = 8;
        string proposal_cancel_dest = 9;
        .google.protobuf.Duration expedited_voting_period = 10;
        string expedited_threshold = 11;
        repeated .cosmos.base.v1beta1.Coin expedited_min_deposit = 12;
        bool burn_vote_quorum = 13;
        bool burn_proposal_deposit_prevote = 14;
        bool burn_vote_veto = 15;
        string min_deposit_ratio = 16;
      }`,
    methods: [["Query", "Constitution", "QueryConstitutionRequest", "QueryConstitutionResponse", "/cosmos/gov/v1/constitution"]],
  },
];

const NEWER_MESSAGE_FIELDS: Array<[message: string, name: string, id: number, type: string]> = [
  ["cosmos.gov.v1.Proposal", "title", 11, "string"],
  ["cosmos.gov.v1.Proposal", "summary", 12, "string"],
  ["cosmos.gov.v1.Proposal", "proposer", 13, "string"],
  ["cosmos.gov.v1.Proposal", "expedited", 14, "bool"],
  ["cosmos.gov.v1.Proposal", "failed_reason", 15, "string"],
  ["cosmos.gov.v1.QueryParamsResponse", "params", 4, "cosmos.gov.v1.Params"],
];

/**
 * Fields renamed or retyped since (same numbers, same wire format): SDK v0.47 renamed node_info,
 * and CometBFT v0.37 made event attributes strings. The gateway writes them as the node's codecs
 * (and the SDK v0.50 gateway) do.
 */
const CHANGED_FIELDS: Array<[message: string, from: string, to: string, type?: string]> = [
  ["cosmos.base.tendermint.v1beta1.GetNodeInfoResponse", "node_info", "default_node_info"],
  ["tendermint.p2p.NodeInfo", "node_id", "default_node_id"],
  ["tendermint.abci.EventAttribute", "key", "key", "string"],
  ["tendermint.abci.EventAttribute", "value", "value", "string"],
];

/** Loads every Cosmos SDK and BLOCKAI proto into one resolved root (field names as in the .proto). */
export function loadProtoRoot(sources: ProtoSources = defaultProtoSources()): protobuf.Root {
  const { registryDir, blockaiDir } = sources;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target)) return target;
    return path.join(target.startsWith("blockai/") ? blockaiDir : registryDir, target);
  };
  const files = [
    ...protoFiles(registryDir, "cosmos"),
    ...protoFiles(blockaiDir, "blockai"),
  ];
  root.loadSync(files, { keepCase: true });
  for (const d of NEWER_DEFINITIONS) {
    const ns = root.lookup(d.package) as protobuf.Namespace;
    const before = new Set(Object.keys(ns.nested ?? {}));
    protobuf.parse(`syntax = "proto3"; package ${d.package};\n${d.source}`, root, { keepCase: true });
    for (const [service, name, request, response, get] of d.methods) {
      const s = root.lookupService(`${d.package}.${service}`);
      // Described as part of the service's file (gRPC reflection serves files).
      for (const added of Object.keys(ns.nested ?? {})) if (!before.has(added)) ns.nested![added].filename = s.filename;
      if (s.methods[name]) continue;
      const method = new protobuf.Method(name, "rpc", request, response);
      method.parsedOptions = [{ "(google.api.http)": { get } }];
      s.add(method);
    }
  }
  for (const [message, name, id, type] of [...NEWER_FIELDS, ...NEWER_MESSAGE_FIELDS]) {
    const t = root.lookupType(message);
    if (!t.fields[name] && !t.fieldsById[id]) t.add(new protobuf.Field(name, id, type));
  }
  for (const [message, from, to, type] of CHANGED_FIELDS) {
    const t = root.lookupType(message);
    const old = t.fields[from];
    if (!old) continue;
    t.remove(old);
    const renamed = new protobuf.Field(to, old.id, type ?? old.type, old.repeated ? "repeated" : undefined, undefined, old.options);
    t.add(renamed);
  }
  // loadSync resolved the root already, and resolveAll does not visit it again: resolve what was
  // added since (the newer definitions and fields) one by one.
  resolveAdded(root);
  return root;
}

function resolveAdded(ns: protobuf.NamespaceBase): void {
  for (const obj of ns.nestedArray) {
    if (obj instanceof protobuf.Type) for (const f of obj.fieldsArray) if (!f.resolved) f.resolve();
    if (obj instanceof protobuf.Service) for (const m of obj.methodsArray) if (!m.resolved) m.resolve();
    if (obj instanceof protobuf.Namespace) resolveAdded(obj);
  }
}

let cached: protobuf.Root | undefined;

/** The root of defaultProtoSources(), loaded once per process (about a second). */
export function protoRoot(): protobuf.Root {
  cached ??= loadProtoRoot();
  return cached;
}

/** The path of a method, "/pkg.Service/Method", to its protobufjs definition. */
export function lookupMethod(root: protobuf.Root, grpcPath: string): protobuf.Method | undefined {
  const m = /^\/([^/]+)\/([^/]+)$/.exec(grpcPath);
  if (!m) return undefined;
  try {
    const service = root.lookupService(m[1]);
    return service.methods[m[2]];
  } catch {
    return undefined;
  }
}
