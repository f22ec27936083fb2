import { ErrorKind } from "../../types/errors";

/** Errors of the registry module (codespace "registry"). Cosmos codes are used where they exist. */
export const RegistryErrors = {
  ModelNotFound: new ErrorKind("registry", 2, "model not found"),
  InvalidModel: new ErrorKind("registry", 3, "invalid model field"),
  InvalidArtifactDigest: new ErrorKind("registry", 4, "artifact digest must be a 32-byte SHA-256"),
  ArtifactDigestImmutable: new ErrorKind("registry", 5, "artifact digest is immutable; register a new model that supersedes this one"),
  BondTooSmall: new ErrorKind("registry", 6, "bond is below min_model_bond"),
  InvalidStatusTransition: new ErrorKind("registry", 7, "invalid model status transition"),
  ModelRetired: new ErrorKind("registry", 8, "model is retired"),
  InvalidOperators: new ErrorKind("registry", 9, "invalid operators"),
} as const;
