import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { ACCOUNT_PREFIX } from "../../types/address";
import type { Command, CommandContext, FlagSpec } from "../command";
import { HOME, KEYRING_BACKEND, OUTPUT, YES } from "../flags";
import { HD_PATH, KeyInfo, KeyringError, normalizeMnemonic, validateKeyName } from "../keyring";
import { openKeyring } from "../keys-context";
import { keyValues, table } from "../output";
import { confirm } from "../prompt";

const KEY_FLAGS: readonly FlagSpec[] = [HOME, KEYRING_BACKEND, OUTPUT];

function keyJson(k: KeyInfo) {
  return { name: k.name, address: k.address, pubkey: { "@type": "/cosmos.crypto.secp256k1.PubKey", key: Buffer.from(k.pubkey).toString("base64") } };
}

function keyText(k: KeyInfo): string {
  return keyValues([
    ["name", k.name],
    ["address", k.address],
    ["pubkey", Buffer.from(k.pubkey).toString("base64")],
  ]);
}

async function readMnemonic(ctx: CommandContext): Promise<string> {
  // Not echoed: the mnemonic is the key.
  const text = await ctx.io.prompter.secret("Enter the BIP39 mnemonic (12 to 24 words): ");
  if (text === undefined || text.trim() === "") throw new KeyringError("no mnemonic given (pipe it on stdin or type it)");
  return normalizeMnemonic(text);
}

async function addKey(ctx: CommandContext, recover: boolean): Promise<number> {
  const name = ctx.args[0];
  validateKeyName(name);
  const keyring = openKeyring(ctx);
  // Checked before asking for anything, so a typo does not cost a mnemonic or a password prompt.
  if (keyring.find(name)?.name === name) throw new KeyringError(`key "${name}" already exists in the ${keyring.backend} keyring`);
  const mnemonic = recover ? await readMnemonic(ctx) : (await DirectSecp256k1HdWallet.generate(24, { prefix: ACCOUNT_PREFIX })).mnemonic;
  const info = await keyring.add(name, mnemonic);
  const showMnemonic = !recover && !ctx.bool("no-backup");
  const warning = showMnemonic
    ? `\nWrite this mnemonic down and keep it safe: it is the only way to recover the key.\n\n${mnemonic}\n`
    : "";
  ctx.print(keyText(info) + warning, { ...keyJson(info), ...(showMnemonic ? { mnemonic } : {}) });
  return 0;
}

const add: Command = {
  name: "add",
  summary: "create a key from a new 24-word mnemonic (or --recover one)",
  usage: "NAME",
  nargs: [1, 1],
  flags: [...KEY_FLAGS, { name: "recover", description: "read an existing mnemonic (stdin or prompt) instead of creating one" }, { name: "no-backup", description: "do not print the new mnemonic" }],
  help: `Keys use the Cosmos HD path ${HD_PATH}. With the file backend the mnemonic is encrypted with the
keyring password (scrypt + AES-256-GCM); the password comes from $BLOCKAI_KEYRING_PASSWORD or is
asked on the terminal without echo, and is never stored.`,
  run: (ctx) => addKey(ctx, ctx.bool("recover")),
};

const importKey: Command = {
  name: "import",
  summary: "import a key from its mnemonic (read from stdin or prompted)",
  usage: "NAME",
  nargs: [1, 1],
  flags: KEY_FLAGS,
  run: (ctx) => addKey(ctx, true),
};

const list: Command = {
  name: "list",
  summary: "list the keys",
  flags: KEY_FLAGS,
  async run(ctx) {
    const keys = openKeyring(ctx).list();
    ctx.print(keys.length === 0 ? "no keys (create one with \"blockai keys add NAME\")\n" : table(keys.map((k) => [k.name, k.address]), ["NAME", "ADDRESS"]), keys.map(keyJson));
  },
};

const show: Command = {
  name: "show",
  summary: "show a key's address and public key",
  usage: "NAME|ADDRESS",
  nargs: [1, 1],
  flags: [...KEY_FLAGS, { name: "address", description: "print only the address" }],
  async run(ctx) {
    const info = openKeyring(ctx).get(ctx.args[0]);
    if (ctx.bool("address")) ctx.io.stdout.write(info.address + "\n");
    else ctx.print(keyText(info), keyJson(info));
  },
};

const exportKey: Command = {
  name: "export",
  summary: "print a key's mnemonic (after confirmation)",
  usage: "NAME",
  nargs: [1, 1],
  flags: [...KEY_FLAGS, YES],
  async run(ctx) {
    const keyring = openKeyring(ctx);
    const info = keyring.get(ctx.args[0]);
    if (!ctx.bool("yes") && !(await confirm(ctx.io.prompter, `Print the mnemonic of "${info.name}"? Anyone who sees it controls ${info.address}`))) {
      throw new Error("not confirmed; nothing was printed");
    }
    const mnemonic = await keyring.mnemonic(info.name);
    ctx.print(mnemonic + "\n", { name: info.name, address: info.address, mnemonic });
  },
};

const del: Command = {
  name: "delete",
  summary: "delete a key (after confirmation)",
  usage: "NAME",
  nargs: [1, 1],
  flags: [...KEY_FLAGS, YES],
  async run(ctx) {
    const keyring = openKeyring(ctx);
    const info = keyring.get(ctx.args[0]);
    if (!ctx.bool("yes") && !(await confirm(ctx.io.prompter, `Delete key "${info.name}" (${info.address})? Without its mnemonic, its funds are lost`))) {
      throw new Error("not confirmed; the key was kept");
    }
    keyring.delete(info.name);
    ctx.print(`deleted key "${info.name}" (${info.address})\n`, { deleted: info.name, address: info.address });
  },
};

export const keysCommand: Command = {
  name: "keys",
  summary: "manage the keys of the keyring",
  subcommands: [add, importKey, list, show, exportKey, del],
};
