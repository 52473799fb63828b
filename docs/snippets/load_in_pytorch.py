"""Rebuilds a network exported by Dtc in PyTorch and prints its logits for an input batch.

    python3 load_in_pytorch.py FOLDER NAME INPUT.npy [pt|safetensors]

FOLDER holds NAME.architecture.json (Dtc's Architecture.toJson) and NAME.safetensors or NAME.pt;
INPUT.npy is a batch shaped [batch, *sample_shape] (numpy.save). Needs torch and numpy only.
"""
import json, struct, sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch


def read_safetensors(path):
    """A safetensors file as {name: tensor}: safetensors' own reader when installed, else NumPy."""
    try:
        from safetensors.torch import load_file
        return load_file(str(path))
    except ImportError:
        data = Path(path).read_bytes()
        (n,) = struct.unpack("<Q", data[:8])
        header, body = json.loads(data[8:8 + n]), data[8 + n:]
        kinds = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "U8": "u1", "BOOL": "?"}
        return {name: torch.from_numpy(np.frombuffer(body[e["data_offsets"][0]:e["data_offsets"][1]],
                                                     dtype=kinds[e["dtype"]]).reshape(e["shape"]).copy())
                for name, e in header.items() if name != "__metadata__"}


def build(folder, name, weights="safetensors"):
    """The nn.Sequential that NAME.architecture.json describes, with the saved weights, in eval mode."""
    folder = Path(folder)
    arch = json.loads((folder / f"{name}.architecture.json").read_text())
    tuples = lambda args: {k: tuple(v) if isinstance(v, list) else v for k, v in args.items()}
    model = torch.nn.Sequential(OrderedDict(
        (layer["name"], getattr(torch.nn, layer["module"])(**tuples(layer["args"]))) for layer in arch["layers"]))
    model.to(getattr(torch, arch["dtype"]))
    if weights == "pt":
        state = torch.load(folder / f"{name}.pt", map_location="cpu")
    else:
        state = read_safetensors(folder / f"{name}.safetensors")
    model.load_state_dict(state)
    return model.eval(), arch


if __name__ == "__main__":
    folder, name, inputs = sys.argv[1:4]
    model, arch = build(folder, name, sys.argv[4] if len(sys.argv) > 4 else "safetensors")
    x = torch.from_numpy(np.load(inputs)).to(getattr(torch, arch["dtype"]))
    with torch.no_grad():
        print(model(x))
