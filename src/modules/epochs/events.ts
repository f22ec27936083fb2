export const EpochsEvents = {
  EpochEnd: "epoch_end",
} as const;

export const EpochsAttributes = {
  Epoch: "epoch",
  Height: "height",
} as const;
