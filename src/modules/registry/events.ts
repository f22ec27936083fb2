export const RegistryEvents = {
  RegisterModel: "register_model",
  UpdateModel: "update_model",
  SetModelStatus: "set_model_status",
  ReturnModelBond: "return_model_bond",
} as const;

export const RegistryAttributes = {
  ModelId: "model_id",
  Owner: "owner",
  ArtifactDigest: "artifact_digest",
  Bond: "bond",
  Supersedes: "supersedes",
  Status: "status",
  Amount: "amount",
} as const;
