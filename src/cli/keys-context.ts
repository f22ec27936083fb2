import type { CommandContext } from "./command";
import { homeDir } from "./flags";
import { Keyring, KeyringError } from "./keyring";

export const PASSWORD_ENV = "BLOCKAI_KEYRING_PASSWORD";

/**
 * The keyring chosen by --keyring-backend (default file). The password comes from
 * $BLOCKAI_KEYRING_PASSWORD or is asked on the terminal without echo; it is never stored.
 */
export function openKeyring(ctx: CommandContext): Keyring {
  const backend = ctx.flag("keyring-backend") ?? ctx.io.env.BLOCKAI_KEYRING_BACKEND ?? "file";
  return Keyring.open(homeDir(ctx), backend, async (purpose) => {
    const fromEnv = ctx.io.env[PASSWORD_ENV];
    if (fromEnv !== undefined) return fromEnv;
    const p = ctx.io.prompter;
    const question = purpose === "create" ? "Choose a password for the new keyring (at least 8 characters): " : "Keyring password: ";
    const password = await p.secret(question);
    if (password === undefined) throw new KeyringError(`no keyring password given: set ${PASSWORD_ENV} or run in a terminal`);
    if (purpose === "create" && p.interactive) {
      const again = await p.secret("Repeat the password: ");
      if (again !== password) throw new KeyringError("the passwords do not match");
    }
    return password;
  });
}
