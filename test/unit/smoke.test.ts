import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
test("cosmjs loads", async () => {
  const w = await DirectSecp256k1HdWallet.generate(12, { prefix: "soa" });
  const [a] = await w.getAccounts();
  expect(a.address.startsWith("soa1")).toBe(true);
});
