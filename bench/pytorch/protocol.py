#!/usr/bin/env python3
"""The paper's protocol on mnist-sample written directly in PyTorch, with scikit-learn's LASSO: the
baseline issue 5 measures `dtc` against ("the same protocol written directly in PyTorch on the CPU, with
OpenBLAS and scikit-learn's LASSO").

It is written from the method as docs/method.fsx states it, the way a PyTorch user would write it, not from
Dtc's code: nn.Linear layers without bias, autograd, torch.optim.Adam (a new one each cycle), the loader
restarting at the first batch every cycle, the supplement's quirks (log-softmax over the batch; the
ceil(0.9 (m - 1)) units of smallest |score| kept, what its 0.9-quantile rule keeps on distinct scores), Phi drawn by NumPy from seed 42424242 at every call, the
orthonormal DCT-I from SciPy, and sklearn.linear_model.Lasso with its defaults (max_iter 1000, tol 1e-4)
at alpha = lambda / (2 n), which is the paper's ||A s - y||^2 + lambda ||s||_1 divided by 2 n.

It is a benchmark, not part of the library, and nothing in the build or CI runs it. On Debian 12:

    apt-get install python3-torch python3-sklearn python3-scipy libopenblas0-pthread
    /usr/bin/python3 bench/pytorch/protocol.py --out /tmp/pytorch-protocol.json

`--concurrent` runs the three methods at the same time, one process each with one thread, the
arrangement `dtc` uses (which also shares their first cycle; here each method trains its own). Times are
wall seconds; `bench/pytorch/paired.sh` interleaves runs of this script with `dtc replicate`.
"""

import argparse
import gzip
import json
import math
import multiprocessing
import os
import platform
import struct
import sys
import time
import warnings

import numpy as np
import scipy.fft
import sklearn
import torch
import torch.nn.functional as F
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso

SEED = 42424242
KEEP = 0.9
STOP = 10
BATCH = 512
BATCHES_PER_CYCLE = 200
LAMBDA = 0.3
MEAN, STD = 0.1307, 0.3081


def read_idx(path):
    """An IDX file (gzip or not) as a NumPy array, checking its magic number."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, dims = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: expecting an IDX file of unsigned bytes but the header reads {data[:4].hex()}")
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(folder, split):
    images = read_idx(os.path.join(folder, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(folder, f"{split}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(((images.reshape(len(images), -1) / 255.0 - MEAN) / STD).astype(np.float32))
    y = torch.from_numpy(labels.astype(np.int64))
    return list(zip(torch.split(x, BATCH), torch.split(y, BATCH)))


class Net(torch.nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, hidden, bias=False)
        self.fc2 = torch.nn.Linear(hidden, 10, bias=False)

    def forward(self, x):
        # The supplement's quirk: log-softmax over the batch (dim 0); cross_entropy adds its own over classes.
        return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=0)


def initial_model():
    torch.manual_seed(SEED)
    model = Net(512)
    torch.nn.init.xavier_normal_(model.fc1.weight)
    torch.nn.init.xavier_normal_(model.fc2.weight)
    return model


def train(model, batches):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    total = 0.0
    for k in range(BATCHES_PER_CYCLE):
        x, y = batches[k % len(batches)]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / BATCHES_PER_CYCLE


def evaluate(model, batches):
    model.eval()
    with torch.no_grad():
        accuracies = [(model(x).argmax(1) == y).float().mean().item() for x, y in batches]
    return float(np.mean(accuracies))


def smallest(scores):
    """The supplement's selection: the units whose |score| is below the 0.9 quantile of |score|, that is the
    ceil(0.9 (m - 1)) smallest on distinct scores; counted, so that ties (a LASSO code that is all zeros)
    keep as many units as distinct scores would."""
    a = np.abs(scores)
    return np.sort(np.argsort(a, kind="stable")[:math.ceil(KEEP * (len(a) - 1))])


def lasso_code(profile, stats):
    """The sparse DCT-I code of a profile from n = int(m (1 - 0.9)) seeded Gaussian measurements."""
    m = len(profile)
    n = int(m * (1.0 - KEEP))
    np.random.seed(SEED)
    phi = np.random.normal(size=(n, m))
    psi = scipy.fft.dct(np.eye(m), type=1, norm="ortho")
    y = phi @ profile
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        s = Lasso(alpha=LAMBDA / (2 * n), fit_intercept=False).fit(phi @ psi, y).coef_
    stats["lassoSeconds"] += time.perf_counter() - started
    stats["lassoSolves"] += 1
    stats["lassoNotConverged"] += sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    return s


def kept_units(method, model, stats):
    w1 = model.fc1.weight.detach().double().numpy()
    w2 = model.fc2.weight.detach().double().numpy()
    a1, a2 = w1.sum(axis=1), w2.sum(axis=0)
    m = len(a1)
    if method == "magnitude":
        return smallest(a1 + a2)
    if method == "random":
        np.random.seed(SEED)
        return np.sort(np.random.choice(m, math.ceil(KEEP * (m - 1)), replace=False))
    if method == "dtc":
        return smallest(lasso_code(a1, stats) + lasso_code(a2, stats))
    raise ValueError(f"Expecting a method magnitude, random or dtc but received {method!r}")


def sliced(model, kept):
    index = torch.from_numpy(np.asarray(kept, dtype=np.int64))
    smaller = Net(len(kept))
    with torch.no_grad():
        smaller.fc1.weight.copy_(model.fc1.weight.index_select(0, index))
        smaller.fc2.weight.copy_(model.fc2.weight.index_select(1, index))
    return smaller


def run_method(method, train_batches, test_batches, threads):
    if threads is not None:
        torch.set_num_threads(threads)
    stats = {"lassoSeconds": 0.0, "lassoSolves": 0, "lassoNotConverged": 0}
    started = time.perf_counter()
    model = initial_model()
    cycles = []
    while True:
        width = model.fc1.weight.shape[0]
        loss = train(model, train_batches)
        kept = kept_units(method, model, stats)
        if len(kept) == 0:
            raise RuntimeError(f"{method}: no unit kept at width {width}")
        model = sliced(model, kept)
        cycles.append({"widthBefore": int(width), "widthAfter": len(kept), "trainLoss": loss,
                       "testAccuracyBatchMean": evaluate(model, test_batches)})
        if len(kept) <= STOP:
            break
    return {"method": method, "seconds": time.perf_counter() - started, "cycles": cycles, **stats}


def _worker(arguments):
    method, folder = arguments
    return run_method(method, load(folder, "train"), load(folder, "t10k"), 1)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.path.join(here, "..", "..", "src", "Dtc.Core", "Data", "mnist-sample"),
                        help="folder with the four IDX files (default: the repository's mnist-sample)")
    parser.add_argument("--threads", type=int,
                        help="PyTorch's intra-op threads (default: PyTorch's own setting; OpenBLAS keeps its own threads)")
    parser.add_argument("--concurrent", action="store_true",
                        help="the three methods at the same time, one process with one thread each")
    parser.add_argument("--out", help="write the results as JSON to this file")
    options = parser.parse_args()
    if options.threads is not None and options.threads < 1:
        parser.error(f"Expecting --threads of at least 1 but received {options.threads}")
    for name in ("train-images", "train-labels", "t10k-images", "t10k-labels"):
        path = os.path.join(options.data, f"{name}-idx{3 if 'images' in name else 1}-ubyte.gz")
        if not os.path.isfile(path):
            parser.error(f"Expecting the IDX file {path} but it does not exist")

    started = time.perf_counter()
    methods = ["magnitude", "random", "dtc"]
    if options.concurrent:
        # One thread per process, OpenBLAS's included: the children read these as they start (spawned, not
        # forked, so that OpenBLAS is loaded afresh) and load the data themselves.
        os.environ.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
        with multiprocessing.get_context("spawn").Pool(len(methods)) as pool:
            runs = pool.map(_worker, [(m, options.data) for m in methods])
    else:
        train_batches, test_batches = load(options.data, "train"), load(options.data, "t10k")
        runs = [run_method(m, train_batches, test_batches, options.threads) for m in methods]
    total = time.perf_counter() - started

    result = {
        "machine": f"{platform.platform()}, {os.cpu_count()} cores",
        "python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
        "scipy": scipy.__version__, "sklearn": sklearn.__version__,
        "threads": 1 if options.concurrent else torch.get_num_threads(), "concurrent": options.concurrent,
        "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS", "OpenBLAS's default"),
        "totalSeconds": total, "methods": runs,
    }
    for r in runs:
        last = r["cycles"][-1]
        print(f"{r['method']:>9}: {r['seconds']:6.1f} s, {len(r['cycles'])} cycles, LASSO {r['lassoSeconds']:.2f} s "
              f"({r['lassoSolves']} solves, {r['lassoNotConverged']} not converged), "
              f"final width {last['widthAfter']}, accuracy {last['testAccuracyBatchMean']:.3f}")
    print(f"total: {total:.1f} s")
    if options.out:
        temporary = options.out + ".tmp"
        with open(temporary, "w") as f:
            json.dump(result, f, indent=1)
        os.replace(temporary, options.out)


if __name__ == "__main__":
    sys.exit(main())
