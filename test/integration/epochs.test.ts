import { Driver } from "../helpers/driver";

describe("epochs: the shared clock", () => {
  test("epochs of epoch_length blocks; hooks run at each epoch's last block, in registration order", async () => {
    const d = await Driver.create({ appState: (s) => (s.epochs = { params: { epoch_length: "3" } }) });
    const calls: string[] = [];
    d.app.keepers.epochs.onEpochEnd("first", (ctx, epoch) => calls.push(`first:${epoch}@${ctx.block.height}`));
    d.app.keepers.epochs.onEpochEnd("second", (ctx, epoch) => calls.push(`second:${epoch}@${ctx.block.height}`));
    for (let i = 0; i < 7; i++) await d.block();
    expect(calls).toEqual(["first:0@3", "second:0@3", "first:1@6", "second:1@6"]);
    const epoch = d.app.keepers.epochs.current(d.app.committedStore()!);
    expect(epoch).toEqual({ number: 2n, startHeight: 7n, endHeight: 9n });
    await d.close();
  });

  test("a zero epoch length is refused at genesis", async () => {
    await expect(Driver.create({ appState: (s) => (s.epochs = { params: { epoch_length: "0" } }) })).rejects.toThrow(/epoch_length must be positive/);
  });
});
