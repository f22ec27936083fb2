export const PowEvents = {
  PowRetarget: "pow_retarget",
  PowMatmulRetarget: "pow_matmul_retarget",
  PowCertificate: "pow_certificate",
  PowMatmulCertificate: "pow_matmul_certificate",
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
  Kind: "kind",
  MatrixIndex: "matrix_index",
  TileRow: "tile_row",
  TileCol: "tile_col",
  Inner: "inner",
  Ticket: "ticket",
} as const;
