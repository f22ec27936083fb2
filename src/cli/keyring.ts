import { Secp256k1HdWallet } from "@cosmjs/amino";
import { DirectSecp256k1HdWallet, makeCosmoshubPath } from "@cosmjs/proto-signing";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { ACCOUNT_PREFIX } from "../types/address";

/** The Cosmos HD path (BIP44 coin type 118), so the same mnemonic gives the same address as Keplr or gaiad. */
export const HD_PATH = "m/44'/118'/0'/0/0";
export type KeyringBackend = "file" | "test";
export const KEYRING_BACKENDS: readonly KeyringBackend[] = ["file", "test"];

/**
 * scrypt N = 2^15, r = 8, p = 1: 32 MiB of memory and ~0.1 s per unlock, the cost the brief and
 * the go-ethereum "light" keystore use. The parameters are stored per key so they can be raised.
 */
export const SCRYPT_PARAMS = { n: 1 << 15, r: 8, p: 1 } as const;
const MIN_PASSWORD_LENGTH = 8;
const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

export interface KeyInfo {
  readonly name: string;
  readonly address: string;
  /** Compressed secp256k1 public key (33 bytes). */
  readonly pubkey: Uint8Array;
  readonly createdAt: string;
}

interface EncryptedSecret {
  kdf: "scrypt";
  kdfparams: { n: number; r: number; p: number; dklen: 32; salt: string };
  cipher: "aes-256-gcm";
  iv: string;
  ciphertext: string;
  tag: string;
}

/** <dir>/<name>.json. Public parts are in clear so list/show need no password. */
interface KeyFile {
  version: 1;
  name: string;
  address: string;
  pubkey: { "@type": "/cosmos.crypto.secp256k1.PubKey"; key: string };
  hd_path: string;
  created_at: string;
  /** test backend only */
  mnemonic?: string;
  /** file backend only: the mnemonic, encrypted */
  crypto?: EncryptedSecret;
}

/** How the keyring gets its password: "unlock" an existing keyring, or "create" a new one. */
export type PasswordSource = (purpose: "unlock" | "create") => Promise<string>;

export class KeyringError extends Error {}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function validateKeyName(name: string): void {
  if (!NAME_RE.test(name)) throw new KeyringError(`invalid key name "${name}": use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
}

/** Words separated by single spaces, lower case: the form BIP39 checksums are computed on. */
export function normalizeMnemonic(text: string): string {
  return text.trim().toLowerCase().split(/\s+/).join(" ");
}

export async function walletFromMnemonic(mnemonic: string): Promise<DirectSecp256k1HdWallet> {
  return fromMnemonic(mnemonic, (words, options) => DirectSecp256k1HdWallet.fromMnemonic(words, options));
}

/** The same key as walletFromMnemonic, as CosmJS's amino wallet (SIGN_MODE_LEGACY_AMINO_JSON). */
export async function aminoWalletFromMnemonic(mnemonic: string): Promise<Secp256k1HdWallet> {
  return fromMnemonic(mnemonic, (words, options) => Secp256k1HdWallet.fromMnemonic(words, options));
}

async function fromMnemonic<W>(mnemonic: string, make: (words: string, options: { prefix: string; hdPaths: ReturnType<typeof makeCosmoshubPath>[] }) => Promise<W>): Promise<W> {
  const words = normalizeMnemonic(mnemonic);
  const count = words === "" ? 0 : words.split(" ").length;
  if (![12, 15, 18, 21, 24].includes(count)) throw new KeyringError(`invalid mnemonic: ${count} words, expected 12, 15, 18, 21 or 24`);
  try {
    return await make(words, { prefix: ACCOUNT_PREFIX, hdPaths: [makeCosmoshubPath(0)] });
  } catch (e) {
    // Not the library's message as is: "Unknown word: <word>" would print part of a secret.
    throw new KeyringError(`invalid mnemonic: ${(e as Error).message.split(":")[0].trim().toLowerCase()}`);
  }
}

export function keyringDir(home: string, backend: KeyringBackend): string {
  return path.join(home, `keyring-${backend}`);
}

export class Keyring {
  private password: string | undefined;

  constructor(
    readonly backend: KeyringBackend,
    readonly dir: string,
    private readonly passwordSource: PasswordSource,
  ) {}

  static open(home: string, backend: string, passwordSource: PasswordSource): Keyring {
    if (!KEYRING_BACKENDS.includes(backend as KeyringBackend)) throw new KeyringError(`unknown keyring backend "${backend}": use file or test`);
    return new Keyring(backend as KeyringBackend, keyringDir(home, backend as KeyringBackend), passwordSource);
  }

  private file(name: string): string {
    return path.join(this.dir, `${name}.json`);
  }

  private readFile(file: string): KeyFile {
    try {
      return JSON.parse(fs.readFileSync(file, "utf8")) as KeyFile;
    } catch (e) {
      throw new KeyringError(`cannot read key file ${file}: ${(e as Error).message}`);
    }
  }

  list(): KeyInfo[] {
    if (!fs.existsSync(this.dir)) return [];
    return fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => toInfo(this.readFile(path.join(this.dir, f))));
  }

  /** A key by name, or by address (then the key that has it). */
  find(nameOrAddress: string): KeyInfo | undefined {
    if (NAME_RE.test(nameOrAddress) && fs.existsSync(this.file(nameOrAddress))) return toInfo(this.readFile(this.file(nameOrAddress)));
    return this.list().find((k) => k.address === nameOrAddress);
  }

  get(nameOrAddress: string): KeyInfo {
    const info = this.find(nameOrAddress);
    if (!info) throw new KeyringError(`key "${nameOrAddress}" not found in the ${this.backend} keyring (${this.dir}); see "blockai keys list --keyring-backend ${this.backend}"`);
    return info;
  }

  async add(name: string, mnemonic: string): Promise<KeyInfo> {
    validateKeyName(name);
    if (fs.existsSync(this.file(name))) throw new KeyringError(`key "${name}" already exists in the ${this.backend} keyring`);
    const wallet = await walletFromMnemonic(mnemonic);
    const [account] = await wallet.getAccounts();
    const existing = this.list().find((k) => k.address === account.address);
    if (existing) throw new KeyringError(`this mnemonic is already stored as key "${existing.name}" (${account.address})`);
    const file: KeyFile = {
      version: 1,
      name,
      address: account.address,
      pubkey: { "@type": "/cosmos.crypto.secp256k1.PubKey", key: Buffer.from(account.pubkey).toString("base64") },
      hd_path: HD_PATH,
      created_at: new Date().toISOString(),
    };
    if (this.backend === "test") file.mnemonic = wallet.mnemonic;
    else file.crypto = await encrypt(wallet.mnemonic, await this.passwordForWrite(), aad(name, account.address));
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // "wx": never overwrite a key file, even if one appeared since the check above.
    fs.writeFileSync(this.file(name), JSON.stringify(file, null, 2) + "\n", { mode: 0o600, flag: "wx" });
    return toInfo(file);
  }

  /** The key's mnemonic; for the file backend this asks for the password (once per process). */
  async mnemonic(nameOrAddress: string): Promise<string> {
    const info = this.get(nameOrAddress);
    const file = this.readFile(this.file(info.name));
    if (this.backend === "test") {
      if (!file.mnemonic) throw new KeyringError(`key file ${this.file(info.name)} has no mnemonic (is it from the file backend?)`);
      return file.mnemonic;
    }
    if (!file.crypto) throw new KeyringError(`key file ${this.file(info.name)} is not encrypted (is it from the test backend?)`);
    const password = this.password ?? (await this.passwordSource("unlock"));
    const mnemonic = await decrypt(file.crypto, password, aad(file.name, file.address), info.name);
    this.password = password;
    return mnemonic;
  }

  delete(nameOrAddress: string): KeyInfo {
    const info = this.get(nameOrAddress);
    fs.rmSync(this.file(info.name));
    return info;
  }

  /**
   * One password per keyring: a new key must be encrypted with the password of the keys already
   * there (checked by decrypting one), so the user never juggles several.
   */
  private async passwordForWrite(): Promise<string> {
    if (this.password !== undefined) return this.password;
    const existing = this.list()[0];
    if (existing) {
      await this.mnemonic(existing.name);
      return this.password!;
    }
    const password = await this.passwordSource("create");
    if (password.length < MIN_PASSWORD_LENGTH) throw new KeyringError(`the keyring password must have at least ${MIN_PASSWORD_LENGTH} characters`);
    this.password = password;
    return password;
  }
}

function toInfo(file: KeyFile): KeyInfo {
  return { name: file.name, address: file.address, pubkey: new Uint8Array(Buffer.from(file.pubkey.key, "base64")), createdAt: file.created_at };
}

/** Binds the ciphertext to its key's name and address: moving it to another key file fails to decrypt. */
function aad(name: string, address: string): Buffer {
  return Buffer.from(`blockai-keyring-v1\n${name}\n${address}`);
}

async function deriveKey(password: string, salt: Buffer, p: { n: number; r: number; p: number }): Promise<Buffer> {
  return scrypt(password.normalize("NFKC"), salt, 32, { N: p.n, r: p.r, p: p.p, maxmem: 256 * p.n * p.r + (1 << 20) });
}

export async function encrypt(secret: string, password: string, additionalData: Buffer): Promise<EncryptedSecret> {
  const salt = crypto.randomBytes(16);
  const iv = crypto.randomBytes(12);
  const key = await deriveKey(password, salt, SCRYPT_PARAMS);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(additionalData);
  const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return {
    kdf: "scrypt",
    kdfparams: { ...SCRYPT_PARAMS, dklen: 32, salt: salt.toString("base64") },
    cipher: "aes-256-gcm",
    iv: iv.toString("base64"),
    ciphertext: ciphertext.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
  };
}

export async function decrypt(secret: EncryptedSecret, password: string, additionalData: Buffer, keyName: string): Promise<string> {
  if (secret.kdf !== "scrypt" || secret.cipher !== "aes-256-gcm") throw new KeyringError(`key "${keyName}": unsupported encryption ${secret.kdf}/${secret.cipher}`);
  // The file's own parameters, bounded: scrypt needs 128 * N * r bytes, so an edited N or r would
  // make unlocking allocate gigabytes. At most 256 MiB (ours take 32 MiB).
  const { n, r, p } = secret.kdfparams;
  const valid = Number.isInteger(n) && Number.isInteger(r) && Number.isInteger(p) && n >= 1 << 14 && (n & (n - 1)) === 0 && r >= 1 && p >= 1 && p <= 16;
  if (!valid || 128 * n * r > 256 * 1024 * 1024) {
    throw new KeyringError(`key "${keyName}": unsupported scrypt parameters N=${n} r=${r} p=${p}`);
  }
  const key = await deriveKey(password, Buffer.from(secret.kdfparams.salt, "base64"), secret.kdfparams);
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(secret.iv, "base64"));
  decipher.setAAD(additionalData);
  decipher.setAuthTag(Buffer.from(secret.tag, "base64"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(secret.ciphertext, "base64")), decipher.final()]).toString("utf8");
  } catch {
    // GCM authentication failed: a wrong password (or a tampered file) — never partial plaintext.
    throw new KeyringError(`wrong keyring password: cannot decrypt key "${keyName}"`);
  }
}
