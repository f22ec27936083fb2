import { BinaryWriter } from "cosmjs-types/binary";

/*
 * cosmjs-types 0.11's BinaryWriter.alloc builds a fresh 8 KiB buffer pool on every call (it calls
 * pool(...) inside alloc), so each encode().finish() of a small message allocates 8 KiB. A
 * transaction encodes several messages (sign doc, accounts, responses), which made this one of
 * the largest costs of CheckTx. Allocating exactly the needed bytes gives identical encodings.
 */
(BinaryWriter as unknown as { alloc: (size: number) => Uint8Array }).alloc = (size: number) => new Uint8Array(size);

export {};
