export const PowEvents = {
  PowRetarget: "pow_retarget",
  PowCertificate: "pow_certificate",
} as const;

export const PowAttributes = {
  Epoch: "epoch",
  Certificates: "certificates",
  TargetCertsPerEpoch: "target_certs_per_epoch",
  OldTarget: "old_target",
  NewTarget: "new_target",
  Miner: "miner",
  ModelId: "model_id",
  AnchorHeight: "anchor_height",
  Nonce: "nonce",
  Seal: "seal",
  Work: "work",
} as const;
