import * as fs from "node:fs";
import { decodeWeights, encodeWeights, exampleWeights, weightsRootOf } from "../miner/matmul-prover";
import { UsageError } from "./args";
import type { Command } from "./command";
import { OUTPUT } from "./flags";

function readWeights(file: string) {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return decodeWeights(data);
}

const root: Command = {
  name: "root",
  summary: "print a weights file's weights_root (for register-model --weights-root) and its matrices",
  usage: "FILE",
  nargs: [1, 1],
  flags: [OUTPUT],
  async run(ctx) {
    const mats = readWeights(ctx.args[0]);
    const { root: r, digests } = weightsRootOf(mats);
    const matrices = mats.map((m, i) => ({ index: i, rows: m.rows, cols: m.cols, digest: digests[i].toString("hex") }));
    ctx.print(
      `weights_root ${r.toString("hex")}\n` + matrices.map((m) => `matrix ${m.index}: ${m.rows}x${m.cols} digest ${m.digest}\n`).join(""),
      { weights_root: r.toString("hex"), matrices },
    );
  },
};

const example: Command = {
  name: "example",
  summary: "write a synthetic example weights file (three int8 matrices, 256x256, 256x512, 512x256)",
  usage: "OUT_FILE",
  nargs: [1, 1],
  flags: [OUTPUT],
  async run(ctx) {
    const mats = exampleWeights();
    fs.writeFileSync(ctx.args[0], encodeWeights(mats));
    const { root: r } = weightsRootOf(mats);
    ctx.print(`wrote ${ctx.args[0]}: ${mats.length} matrices, weights_root ${r.toString("hex")}\n`, { file: ctx.args[0], weights_root: r.toString("hex") });
  },
};

export const weightsCommand: Command = {
  name: "weights",
  summary: "int8 weights files for matmul certificates (docs/pow-matmul.md)",
  help: 'Format: "BAIW", u32 LE count, then per matrix u32 LE rows, u32 LE cols and rows*cols int8 bytes (row-major);\ndimensions are multiples of 16.',
  subcommands: [root, example],
};
