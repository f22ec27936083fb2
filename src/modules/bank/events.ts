/** The events bank emits, named as the Cosmos SDK's x/bank names them (explorers and wallets read them). */
export const BankEvents = {
  CoinSpent: "coin_spent",
  CoinReceived: "coin_received",
  Transfer: "transfer",
  Message: "message",
  Coinbase: "coinbase",
  Burn: "burn",
} as const;

export const BankAttributes = {
  Spender: "spender",
  Receiver: "receiver",
  Recipient: "recipient",
  Sender: "sender",
  Minter: "minter",
  Burner: "burner",
  Amount: "amount",
} as const;
