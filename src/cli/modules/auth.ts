import { BaseAccount, ModuleAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Command, ModuleCli } from "../command";
import { BlockaiQueryError } from "../../client";
import { AuthQuery } from "../../modules/auth/service";
import { withNode } from "../connect";
import { QUERY_FLAGS, heightFlag } from "../flags";
import { keyValues } from "../output";
import { checkAddressArg } from "../validate";

function accountJson(any: Any) {
  const module = any.typeUrl === "/cosmos.auth.v1beta1.ModuleAccount" ? ModuleAccount.decode(any.value) : undefined;
  const base = module ? module.baseAccount : any.typeUrl === "/cosmos.auth.v1beta1.BaseAccount" ? BaseAccount.decode(any.value) : undefined;
  if (!base) throw new Error(`unsupported account type ${any.typeUrl}`);
  const pub = base.pubKey?.typeUrl === "/cosmos.crypto.secp256k1.PubKey" ? PubKey.decode(base.pubKey.value).key : undefined;
  return {
    "@type": any.typeUrl,
    address: base.address,
    account_number: base.accountNumber.toString(),
    sequence: base.sequence.toString(),
    pub_key: base.pubKey ? { "@type": base.pubKey.typeUrl, key: pub ? Buffer.from(pub).toString("base64") : Buffer.from(base.pubKey.value).toString("base64") } : null,
    ...(module ? { name: module.name, permissions: module.permissions } : {}),
  };
}

const account: Command = {
  name: "account",
  summary: "an account's number, sequence and public key",
  usage: "ADDRESS",
  nargs: [1, 1],
  flags: QUERY_FLAGS,
  async run(ctx) {
    const address = checkAddressArg(ctx.args[0]);
    const height = heightFlag(ctx);
    const res = await withNode(ctx, async (node) => {
      try {
        return await node.client.query(AuthQuery.Account, { address }, { height });
      } catch (e) {
        if (e instanceof BlockaiQueryError && e.codespace === "sdk" && e.code === 22) throw new Error(`account ${address} not found: it has never received funds`);
        throw e;
      }
    });
    const json = accountJson(res.account!);
    ctx.print(
      keyValues([
        ["type", json["@type"].split(".").pop()!],
        ["address", json.address],
        ...("name" in json ? [["module", String(json.name)] as const] : []),
        ["account number", json.account_number],
        ["sequence", json.sequence],
        ["public key", json.pub_key ? json.pub_key.key : "none (set by the account's first transaction)"],
      ]),
      json,
    );
  },
};

export const authCli: ModuleCli = { name: "auth", summary: "accounts", query: [account] };
