import { Bip39, EnglishMnemonic, Secp256k1, Slip10, Slip10Curve, ripemd160, sha256, stringToPath } from "@cosmjs/crypto";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HD_PATH, Keyring, KeyringError, SCRYPT_PARAMS } from "../../src/cli/keyring";

// The mnemonic of the BIP39 test vectors (entropy 0x7f7f...): a fixed input, not a real key.
const MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title";

async function expectedAddress(mnemonic: string): Promise<string> {
  // Derived independently of DirectSecp256k1HdWallet: BIP39 seed, SLIP-10 at m/44'/118'/0'/0/0.
  const seed = await Bip39.mnemonicToSeed(new EnglishMnemonic(mnemonic));
  const { privkey } = Slip10.derivePath(Slip10Curve.Secp256k1, seed, stringToPath("m/44'/118'/0'/0/0"));
  const pub = Secp256k1.compressPubkey((await Secp256k1.makeKeypair(privkey)).pubkey);
  return toBech32("soa", ripemd160(sha256(pub)));
}

describe("keyring", () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "blockai-keyring-"));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  const fileKeyring = (password: string, asked: string[] = []) =>
    Keyring.open(home, "file", async (purpose) => {
      asked.push(purpose);
      return password;
    });

  test("file backend: scrypt (N >= 2^15) + AES-256-GCM, mode 0600 in a 0700 dir, mnemonic not in clear", async () => {
    expect(SCRYPT_PARAMS.n).toBeGreaterThanOrEqual(2 ** 15);
    const asked: string[] = [];
    const kr = fileKeyring("correct horse", asked);
    const info = await kr.add("alice", MNEMONIC);
    expect(asked).toEqual(["create"]);
    expect(info.address).toBe(await expectedAddress(MNEMONIC));
    const file = path.join(home, "keyring-file", "alice.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(home, "keyring-file")).mode & 0o777).toBe(0o700);
    const text = fs.readFileSync(file, "utf8");
    expect(text).not.toContain("legal");
    const stored = JSON.parse(text);
    expect(stored.crypto).toMatchObject({ kdf: "scrypt", cipher: "aes-256-gcm", kdfparams: { n: 32768, r: 8, p: 1 } });
    expect(stored.hd_path).toBe(HD_PATH);
    // A fresh keyring object (a new process) asks for the password and decrypts.
    expect(await fileKeyring("correct horse").mnemonic("alice")).toBe(MNEMONIC);
  });

  test("a wrong password is refused with a clear error, and never yields a mnemonic", async () => {
    await fileKeyring("correct horse").add("alice", MNEMONIC);
    await expect(fileKeyring("wrong horse").mnemonic("alice")).rejects.toThrow(/wrong keyring password: cannot decrypt key "alice"/);
  });

  test("one password per keyring: adding a key with another password fails", async () => {
    await fileKeyring("correct horse").add("alice", MNEMONIC);
    const other = (await DirectSecp256k1HdWallet.generate(24, { prefix: "soa" })).mnemonic;
    await expect(fileKeyring("other password").add("bob", other)).rejects.toThrow(/wrong keyring password/);
    const asked: string[] = [];
    await fileKeyring("correct horse", asked).add("bob", other);
    expect(asked).toEqual(["unlock"]);
    expect(fileKeyring("x").list().map((k) => k.name)).toEqual(["alice", "bob"]);
  });

  test("a ciphertext moved to another key's file does not decrypt (bound to name and address)", async () => {
    const kr = fileKeyring("correct horse");
    await kr.add("alice", MNEMONIC);
    await kr.add("bob", (await DirectSecp256k1HdWallet.generate(12, { prefix: "soa" })).mnemonic);
    const dir = path.join(home, "keyring-file");
    const alice = JSON.parse(fs.readFileSync(path.join(dir, "alice.json"), "utf8"));
    const bob = JSON.parse(fs.readFileSync(path.join(dir, "bob.json"), "utf8"));
    bob.crypto = alice.crypto;
    fs.writeFileSync(path.join(dir, "bob.json"), JSON.stringify(bob));
    await expect(fileKeyring("correct horse").mnemonic("bob")).rejects.toThrow(KeyringError);
  });

  test("an edited key file asking for huge scrypt parameters is refused before any work", async () => {
    await fileKeyring("correct horse").add("alice", MNEMONIC);
    const file = path.join(home, "keyring-file", "alice.json");
    const k = JSON.parse(fs.readFileSync(file, "utf8"));
    k.crypto.kdfparams.n = 2 ** 30;
    fs.writeFileSync(file, JSON.stringify(k));
    await expect(fileKeyring("correct horse").mnemonic("alice")).rejects.toThrow(/unsupported scrypt parameters N=1073741824/);
    // N within range but r raised: 128 * 2^20 * 32 bytes = 4 GiB.
    k.crypto.kdfparams.n = 2 ** 20;
    k.crypto.kdfparams.r = 32;
    fs.writeFileSync(file, JSON.stringify(k));
    await expect(fileKeyring("correct horse").mnemonic("alice")).rejects.toThrow(/unsupported scrypt parameters N=1048576 r=32/);
  });

  test("an invalid mnemonic's error does not repeat any of its words", async () => {
    const typo = MNEMONIC.replace("sausage", "sausagx");
    const err = await fileKeyring("correct horse").add("x", typo).catch((e: Error) => e);
    expect(err).toBeInstanceOf(KeyringError);
    expect((err as Error).message).toMatch(/^invalid mnemonic/);
    expect((err as Error).message).not.toMatch(/sausagx/);
  });

  test("short passwords, bad names, duplicates, invalid mnemonics, unknown keys", async () => {
    await expect(fileKeyring("short").add("alice", MNEMONIC)).rejects.toThrow(/at least 8 characters/);
    const kr = fileKeyring("correct horse");
    await expect(kr.add("../evil", MNEMONIC)).rejects.toThrow(/invalid key name/);
    await kr.add("alice", MNEMONIC);
    await expect(kr.add("alice", MNEMONIC)).rejects.toThrow(/already exists/);
    await expect(kr.add("alice2", MNEMONIC)).rejects.toThrow(/already stored as key "alice"/);
    await expect(kr.add("x", MNEMONIC.replace("title", "wave"))).rejects.toThrow(/invalid mnemonic/);
    await expect(kr.add("x", "one two three")).rejects.toThrow(/3 words/);
    expect(() => kr.get("nobody")).toThrow(/key "nobody" not found in the file keyring/);
  });

  test("test backend: unencrypted, no password asked, separate directory; lookup by address", async () => {
    const kr = Keyring.open(home, "test", async () => {
      throw new Error("no password for the test backend");
    });
    const info = await kr.add("val", MNEMONIC);
    const file = path.join(home, "keyring-test", "val.json");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).mnemonic).toBe(MNEMONIC);
    expect(await kr.mnemonic(info.address)).toBe(MNEMONIC);
    expect(kr.get(info.address).name).toBe("val");
    expect(fs.existsSync(path.join(home, "keyring-file"))).toBe(false);
    expect(() => Keyring.open(home, "os", async () => "")).toThrow(/unknown keyring backend "os"/);
    kr.delete("val");
    expect(kr.list()).toEqual([]);
  });

  test("the address is the Cosmos one for the same mnemonic (same bytes, soa prefix)", async () => {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "cosmos" });
    const [{ address }] = await wallet.getAccounts();
    const info = await fileKeyring("correct horse").add("alice", MNEMONIC);
    expect(fromBech32(info.address).data).toEqual(fromBech32(address).data);
  });
});
