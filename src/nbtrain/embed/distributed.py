"""One embedding pass split between several processes: GPUs, or CPU processes under Accelerate.

Under ``accelerate launch --num_processes N`` (or ``torchrun``) each process embeds every N-th text
of the length-sorted list, so each gets as many long texts as short ones, writes its vectors to the
shared on-disk cache, and the vectors are gathered in order to every process with one collective
(tensors, no pickle). Afterwards a single-process ``nbtrain check`` or notebook on the same machine
finds every text in the cache. Run as a command::

    accelerate launch --num_processes 2 -m nbtrain.embed.distributed train.csv

>>> split_shares(["a", "bbb", "cc", "dddd"], 2)
[[3, 2], [1, 0]]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from nbtrain.embed.encoder import Encoder
from nbtrain.progress import Progress, Silent


def split_shares(texts: Sequence[str], processes: int) -> list[list[int]]:
    """Each process's row indices: every ``processes``-th text, longest first, for an even load."""
    order = np.argsort([-len(t) for t in texts], kind="stable")
    return [order[rank::processes].tolist() for rank in range(processes)]


def process_state() -> Any:
    """Accelerate's view of this launch; with no GPU it is told so, and joins the others on CPUs (gloo)."""
    import torch
    from accelerate import PartialState

    return PartialState(cpu=not (torch.cuda.is_available() or torch.backends.mps.is_available()))


def encode_across_processes(encoder: Encoder, texts: Sequence[str], progress: bool | Progress | None = False) -> np.ndarray:
    """Embeddings of ``texts`` (one row per text, in order), the work shared by every process.

    Call it from every process of an ``accelerate launch``; each returns the whole array. In a
    single process it is ``encoder.encode(texts)``.
    """
    state = process_state()
    if state.num_processes == 1:
        return encoder.encode(texts, progress=progress)
    import torch
    from accelerate.utils import gather

    unique = list(dict.fromkeys(texts))
    shares = split_shares(unique, state.num_processes)
    mine = shares[state.process_index]
    vectors = encoder.encode([unique[i] for i in mine], progress=progress if state.is_main_process else Silent())
    width = max(len(s) for s in shares)
    padded = torch.zeros((width, vectors.shape[1] if len(mine) else encoder.dimension), dtype=torch.float32)
    padded[: len(mine)] = torch.from_numpy(vectors)
    gathered = gather(padded.to(state.device)).cpu().numpy().reshape(state.num_processes, width, -1)
    out = np.zeros((len(unique), gathered.shape[2]), dtype=np.float32)
    for rank, share in enumerate(shares):
        out[share] = gathered[rank, : len(share)]
    row = {t: i for i, t in enumerate(unique)}
    return out[[row[t] for t in texts]]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m nbtrain.embed.distributed FILE``: embed every text of FILE into the cache."""
    parser = argparse.ArgumentParser(
        prog="python -m nbtrain.embed.distributed",
        description="Embed every text of a data file into nbtrain's cache, shared between the processes "
        "of an `accelerate launch --num_processes N`; later runs on this machine embed nothing.",
    )
    parser.add_argument("file", help="a data file nbtrain.load reads (CSV, JSON Lines, ...)")
    parser.add_argument("--model", default="default", help="the frozen model (default: all-MiniLM-L6-v2)")
    parser.add_argument("--out", help="also write the vectors, in the order of the file's texts, to this .npy")
    args = parser.parse_args(argv)

    import nbtrain

    state = process_state()
    if state.num_processes > 1 and "OMP_NUM_THREADS" not in os.environ and state.device.type == "cpu":
        import torch

        # N processes on one machine's CPUs: each takes its part of the cores, not all of them.
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // state.num_processes))
    dataset = nbtrain.load(args.file)
    texts = list(dict.fromkeys(t for frame in dataset.splits().values() for t in frame["text"]))
    vectors = encode_across_processes(Encoder(args.model), texts, progress=True)
    if state.is_main_process:
        if args.out:
            np.save(args.out, vectors, allow_pickle=False)
        print(f"embedded {len(texts)} texts with {state.num_processes} process(es)", file=sys.stderr)
    _leave(state)
    return 0


def _leave(state: object) -> None:
    """Wait for every process and close the process group, so no process exits while another
    still holds it (a rank leaving early aborts at exit: "terminate called without an active
    exception")."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    sys.exit(main())
