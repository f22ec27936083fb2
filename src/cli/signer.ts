import type { AminoSignResponse, OfflineAminoSigner, StdSignDoc } from "@cosmjs/amino";
import type { AccountData, DirectSignResponse, OfflineDirectSigner } from "@cosmjs/proto-signing";
import type { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { Keyring, KeyInfo, KeyringError, aminoWalletFromMnemonic, walletFromMnemonic } from "./keyring";

/**
 * A CosmJS signer backed by the keyring. The public key is stored in clear, so CosmJS can
 * simulate and the user can confirm before the key is unlocked; the password is asked only when
 * the transaction is actually signed.
 */
export class KeyringSigner implements OfflineDirectSigner {
  constructor(
    private readonly keyring: Keyring,
    readonly key: KeyInfo,
  ) {}

  async getAccounts(): Promise<readonly AccountData[]> {
    return [{ address: this.key.address, algo: "secp256k1", pubkey: this.key.pubkey }];
  }

  async signDirect(signerAddress: string, signDoc: SignDoc): Promise<DirectSignResponse> {
    if (signerAddress !== this.key.address) throw new KeyringError(`key "${this.key.name}" cannot sign for ${signerAddress}`);
    const wallet = await walletFromMnemonic(await this.keyring.mnemonic(this.key.name));
    const [account] = await wallet.getAccounts();
    // A key file edited by hand could claim another address than its mnemonic yields.
    if (account.address !== this.key.address) throw new KeyringError(`key "${this.key.name}": its mnemonic gives ${account.address}, not the stored ${this.key.address}`);
    return wallet.signDirect(signerAddress, signDoc);
  }
}

/** The same key signing in SIGN_MODE_LEGACY_AMINO_JSON (`--sign-mode amino-json`). */
export class KeyringAminoSigner implements OfflineAminoSigner {
  constructor(
    private readonly keyring: Keyring,
    readonly key: KeyInfo,
  ) {}

  async getAccounts(): Promise<readonly AccountData[]> {
    return [{ address: this.key.address, algo: "secp256k1", pubkey: this.key.pubkey }];
  }

  async signAmino(signerAddress: string, signDoc: StdSignDoc): Promise<AminoSignResponse> {
    if (signerAddress !== this.key.address) throw new KeyringError(`key "${this.key.name}" cannot sign for ${signerAddress}`);
    const wallet = await aminoWalletFromMnemonic(await this.keyring.mnemonic(this.key.name));
    const [account] = await wallet.getAccounts();
    if (account.address !== this.key.address) throw new KeyringError(`key "${this.key.name}": its mnemonic gives ${account.address}, not the stored ${this.key.address}`);
    return wallet.signAmino(signerAddress, signDoc);
  }
}
