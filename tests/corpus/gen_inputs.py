"""Malformed inputs for the corpus: checkpoints, results files, IDX files and gzip streams.

Usage: /usr/bin/python3 gen_inputs.py OUT   (run by generate.sh with OUT = tests/corpus/files)

Deterministic, standard library only. Two inputs are real files written by Dtc and committed in OUT:

- checkpoint-good.ckpt: the checkpoint of a tiny real run (checkpoint format 2);
- results-good.json: that run's results.json (schema 1).

When the checkpoint format or the results schema changes, regenerate both first, then run generate.sh:

    dotnet src/Dtc.Cli/bin/Release/net10.0/dtc.dll replicate --hidden 16 --stop 12 \\
        --batches-per-cycle 2 --methods dtc --out /tmp/dtc-corpus-run
    cp /tmp/dtc-corpus-run/checkpoints/dtc.ckpt tests/corpus/files/checkpoint-good.ckpt
    cp /tmp/dtc-corpus-run/results.json tests/corpus/files/results-good.json
    bash tests/corpus/generate.sh

The cases that resume from these checkpoints use the same command line (--hidden 16 --stop 12
--batches-per-cycle 2 --methods dtc), so that only the corruption differs.
"""

import copy
import gzip
import hashlib
import json
import os
import random
import struct
import sys

OUT = sys.argv[1]


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def read(name):
    with open(os.path.join(OUT, name), "rb") as f:
        return f.read()


def gz(data):
    # mtime=0: the same bytes on every run.
    return gzip.compress(data, compresslevel=9, mtime=0)


# ---------------------------------------------------------------------------------------------
# Checkpoints (format 2): "DTCK", version int32, header length int32, UTF-8 JSON header,
# weight count int32, bias count int32, then per parameter rank int32, dims int64 each,
# float32 data; last, the SHA-256 of every byte before it. Little-endian throughout.

good = read("checkpoint-good.ckpt")
assert good[:4] == b"DTCK", "checkpoint-good.ckpt is not a checkpoint"
assert struct.unpack_from("<i", good, 4)[0] == 2, "checkpoint-good.ckpt is not of format 2: regenerate it (see above)"
assert hashlib.sha256(good[:-32]).digest() == good[-32:], "checkpoint-good.ckpt fails its own checksum"
body = good[:-32]
header_length = struct.unpack_from("<i", body, 8)[0]
params_at = 12 + header_length          # weight and bias counts
first_rank_at = params_at + 8            # rank of the first weight
first_dims_at = first_rank_at + 4        # its dimensions
first_rank = struct.unpack_from("<i", body, first_rank_at)[0]
first_data_at = first_dims_at + 8 * first_rank


def sealed(b):
    """A body with a correct checksum: the structure, not the checksum, must catch what is wrong."""
    return bytes(b) + hashlib.sha256(bytes(b)).digest()


# A flipped bit in the middle of the first weight matrix, checksum left as it was.
flipped = bytearray(good)
flipped[first_data_at + 1001] ^= 0x10
write("checkpoint-flipped-bit.ckpt", bytes(flipped))

# Cut in the middle of the weights.
write("checkpoint-truncated.ckpt", good[: first_data_at + 5000])

# Wrong magic bytes.
write("checkpoint-wrong-magic.ckpt", b"XXXX" + good[4:])

# Format version 1 (the format before checksums).
v1 = bytearray(body)
struct.pack_into("<i", v1, 4, 1)
write("checkpoint-version-1.ckpt", sealed(v1))

# A huge header length (2 GB), checksum recomputed.
huge_header = bytearray(body)
struct.pack_into("<i", huge_header, 8, 0x7FFFFFF0)
write("checkpoint-huge-header.ckpt", sealed(huge_header))

# A huge first dimension (2^40 rows), checksum recomputed.
huge_dim = bytearray(body)
struct.pack_into("<q", huge_dim, first_dims_at, 1 << 40)
write("checkpoint-huge-dimension.ckpt", sealed(huge_dim))

# A negative first dimension, checksum recomputed.
negative_dim = bytearray(body)
struct.pack_into("<q", negative_dim, first_dims_at, -12)
write("checkpoint-negative-dimension.ckpt", sealed(negative_dim))

# A negative rank, checksum recomputed.
negative_rank = bytearray(body)
struct.pack_into("<i", negative_rank, first_rank_at, -5)
write("checkpoint-negative-rank.ckpt", sealed(negative_rank))

# A huge weight count, checksum recomputed.
huge_count = bytearray(body)
struct.pack_into("<i", huge_count, params_at, 0x7FFFFFFF)
write("checkpoint-huge-count.ckpt", sealed(huge_count))

# ---------------------------------------------------------------------------------------------
# Results files (schema 1), derived from a real one.

results = json.loads(read("results-good.json"))
assert results["schema"] == "1"


def results_file(name, change):
    r = copy.deepcopy(results)
    change(r)
    write(name, (json.dumps(r, indent=2) + "\n").encode("utf-8"))


def cycle(r, method, number):
    m = next(m for m in r["methods"] if m["method"] == method)
    return next(c for c in m["cycles"] if c["cycle"] == number)


results_file("results-missing-schema.json", lambda r: r.pop("schema"))
results_file("results-unknown-schema.json", lambda r: r.update(schema="7"))
results_file("results-missing-test-accuracy.json", lambda r: cycle(r, "dtc", 2).pop("testAccuracy"))
results_file("results-missing-fraction-removed.json", lambda r: cycle(r, "dtc", 1).pop("fractionRemoved"))
results_file("results-null-test-accuracy.json", lambda r: cycle(r, "dtc", 2).update(testAccuracy=None))
results_file("results-missing-method.json", lambda r: r["methods"][0].pop("method"))
results_file("results-missing-cycles.json", lambda r: r["methods"][0].pop("cycles"))
results_file("results-missing-metadata.json", lambda r: r.pop("metadata"))

# ---------------------------------------------------------------------------------------------
# IDX files: a tiny valid data set (10 train and 10 test images of 28 x 28), and malformed parts.

rng = random.Random(18)


def idx_images(count, rows, columns, pixels=None):
    if pixels is None:
        pixels = bytes(rng.randrange(256) for _ in range(count * rows * columns))
    return struct.pack(">iiii", 0x00000803, count, rows, columns) + pixels


def idx_labels(count):
    return struct.pack(">ii", 0x00000801, count) + bytes(i % 10 for i in range(count))


write("idx-images-tiny", idx_images(10, 28, 28))
write("idx-labels-tiny", idx_labels(10))

# A header declaring 16 x 2^30 x 2^30 images (2^64 bytes, which wraps to 0 in 64 bits) and no data.
write("idx-images-huge-header", struct.pack(">iiii", 0x00000803, 16, 1 << 30, 1 << 30))

# A gzip bomb: the header declares 10 images of 28 x 28 (7,840 bytes), the stream holds 64 MiB more zeros.
bomb = gz(idx_images(10, 28, 28, bytes(10 * 28 * 28)) + bytes(64 << 20))
write("idx-images-bomb.gz", bomb)

# A corrupt gzip stream (valid magic, garbage after it), to lie beside a valid raw file of the same name.
write("idx-images-corrupt.gz", b"\x1f\x8b" + bytes((i * 37) & 0xFF for i in range(40)))

for name in sorted(os.listdir(OUT)):
    print(f"  {name}: {os.path.getsize(os.path.join(OUT, name))} bytes")
