"""cleanlab's ranking of label issues on given out-of-fold probabilities (benchmarks/.venv-anchors).

cleanlab is AGPL: it stays out of nbtrain and runs here, in the anchors' venv, on the very
probabilities nbtrain's review queue ranks, so the two rankings differ only in their rule.

    benchmarks/.venv-anchors/bin/python benchmarks/correction_cleanlab.py probs.npz

prints one JSON line: the row positions cleanlab flags, most likely issue first.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata

import numpy as np


def main() -> int:
    from cleanlab.filter import find_label_issues

    data = np.load(sys.argv[1])
    ranked = find_label_issues(labels=data["labels"], pred_probs=data["proba"], return_indices_ranked_by="self_confidence")
    print(json.dumps({"ranked": [int(i) for i in ranked], "cleanlab": metadata.version("cleanlab")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
