#!/usr/bin/env python3
"""Independent reference of the matmul/v1 certificate (docs/pow-matmul.md), pure Python.

Written from the spec, not from src/modules/pow/matmul.ts: plain integer lists, arithmetic mod
2^32 with explicit masking, hashlib for SHA-256 and SHAKE-256. Prints the known-answer vectors as
JSON; test/unit/pow-matmul-vectors.test.ts compares them with the chain's implementation (and the
committed copy, matmul_vectors.json, when python3 is not installed).

Usage: python3 test/vectors/matmul_ref.py > test/vectors/matmul_vectors.json
"""
import hashlib
import json
import struct

T = 16  # tile side
K = 16  # transcript step
R = 16  # noise rank
MASK = 0xFFFFFFFF


def sha(b):
    return hashlib.sha256(b).digest()


def leaf(data):
    return sha(b"\x00" + data)


def node(l, r):
    return sha(b"\x01" + l + r)


def tree(leaves):
    """All levels, leaves padded with 32 zero bytes to a power of two."""
    width = 1
    while width < len(leaves):
        width *= 2
    level = list(leaves) + [bytes(32)] * (width - len(leaves))
    out = [level]
    while len(level) > 1:
        level = [node(level[i], level[i + 1]) for i in range(0, len(level), 2)]
        out.append(level)
    return out


def root(leaves):
    return tree(leaves)[-1][0]


def path(leaves, index):
    levels = tree(leaves)
    p = []
    for lv in levels[:-1]:
        p.append(lv[index ^ 1])
        index //= 2
    return p


def lcg_int8(seed, count):
    """Deterministic test inputs (not part of the protocol)."""
    x = seed
    out = []
    for _ in range(count):
        x = (x * 1103515245 + 12345) % (1 << 31)
        b = (x >> 16) & 0xFF
        out.append(b - 256 if b >= 128 else b)
    return out


def i8bytes(values):
    return bytes(v & 0xFF for v in values)


class Mat:
    def __init__(self, rows, cols, data):
        self.rows, self.cols, self.data = rows, cols, data

    def at(self, r, c):
        return self.data[r * self.cols + c]


def col_block(b, j):
    return [b.at(l, j * T + c) for l in range(b.rows) for c in range(T)]


def row_block(a, i):
    return a.data[i * T * a.cols:(i + 1) * T * a.cols]


def matrix_digest(b):
    leaves = [leaf(i8bytes(col_block(b, j))) for j in range(b.cols // T)]
    return sha(b"blockai/matmul/v1/matrix" + struct.pack(">II", b.rows, b.cols) + root(leaves))


def a_root(a):
    return root([leaf(i8bytes(row_block(a, i))) for i in range(a.rows // T)])


def seed_of(chain, height, anchor_hash, miner, model, index, digest, aroot, arows):
    c = chain.encode()
    return sha(b"blockai/matmul/v1/seed" + bytes([len(c)]) + c + struct.pack(">Q", height) + anchor_hash
               + bytes([len(miner)]) + miner + struct.pack(">Q", model) + struct.pack(">I", index)
               + digest + aroot + struct.pack(">I", arows))


def xof(data, words):
    raw = hashlib.shake_256(data).digest(4 * words)
    return list(struct.unpack("<%dI" % words, raw))


def tile_ticket(seed, a, b, ti, tj):
    n = a.cols
    u_rows = [xof(seed + b"\x01" + struct.pack(">I", ti * T + r), R) for r in range(T)]
    v = xof(seed + b"\x02", R * n)
    p = xof(seed + b"\x03", n * R)
    q_cols = [xof(seed + b"\x04" + struct.pack(">I", tj * T + c), R) for c in range(T)]
    # A' rows and B' columns of the tile, as integers mod 2^32
    ap = [[(a.at(ti * T + r, l) + sum(u_rows[r][k] * v[k * n + l] for k in range(R))) & MASK for l in range(n)] for r in range(T)]
    bp = [[(b.at(l, tj * T + c) + sum(p[l * R + k] * q_cols[c][k] for k in range(R))) & MASK for c in range(T)] for l in range(n)]
    h = hashlib.sha256(b"blockai/matmul/v1/tile" + seed + struct.pack(">II", ti, tj))
    acc = [[0] * T for _ in range(T)]
    for s in range(0, n, K):
        for r in range(T):
            for c in range(T):
                acc[r][c] = (acc[r][c] + sum(ap[r][l] * bp[l][c] for l in range(s, s + K))) & MASK
        h.update(struct.pack("<%dI" % (T * T), *[acc[r][c] for r in range(T) for c in range(T)]))
    return h.digest()


def main():
    # Weights: three matrices; B = matrix 0 (inner 32 x cols 48). A: 48 x 32.
    shapes = [(32, 48), (16, 16), (48, 32)]
    mats = [Mat(r, c, lcg_int8(100 + i, r * c)) for i, (r, c) in enumerate(shapes)]
    digests = [matrix_digest(m) for m in mats]
    wroot = root([leaf(d) for d in digests])
    b = mats[0]
    a = Mat(48, 32, lcg_int8(7, 48 * 32))
    ar = a_root(a)
    anchor_hash = bytes([0x11]) * 32
    miner = bytes([0x22]) * 20
    seed = seed_of("blockai-test", 42, anchor_hash, miner, 7, 0, digests[0], ar, a.rows)
    tickets = [[tile_ticket(seed, a, b, i, j).hex() for j in range(b.cols // T)] for i in range(a.rows // T)]
    col_leaves = [leaf(i8bytes(col_block(b, j))) for j in range(b.cols // T)]
    row_leaves = [leaf(i8bytes(row_block(a, i))) for i in range(a.rows // T)]
    print(json.dumps({
        "inputs": "A = lcg_int8(7, 48*32) as 48x32; weights = [lcg_int8(100+i, r*c) for (r,c) in [(32,48),(16,16),(48,32)]]; B = matrix 0",
        "chain_id": "blockai-test", "anchor_height": 42, "anchor_hash": anchor_hash.hex(), "miner": miner.hex(), "model_id": 7,
        "matrix_digests": [d.hex() for d in digests],
        "weights_root": wroot.hex(),
        "weights_path_0": [h.hex() for h in path([leaf(d) for d in digests], 0)],
        "a_root": ar.hex(),
        "a_path_1": [h.hex() for h in path(row_leaves, 1)],
        "b_path_2": [h.hex() for h in path(col_leaves, 2)],
        "seed": seed.hex(),
        "noise_u_row_0": xof(seed + b"\x01" + struct.pack(">I", 0), R),
        "tickets": tickets,
    }, indent=1))


if __name__ == "__main__":
    main()
