"""How often boilerml's decoder agrees with the charset the corpora record for their pages.

    python benchmarks/decode_agreement.py [--datasets DIR]

For every page whose corpus gives an ``encoding_hint``, decodes the raw bytes with
:func:`boilerml.decode` (which does not see the hint) and with the hint, and counts a page as
agreeing when the two texts match after whitespace is collapsed. Pages without a hint are
counted by how their encoding was found. Prints one row per corpus.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from boilerml.corpora import corpus_names, datasets_dir, read_corpus
from boilerml.decode import decode, normalise_charset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", help="corpora folder (default: ../shared/datasets)")
    args = parser.parse_args()
    root = Path(datasets_dir(args.datasets))
    print("| corpus | pages with hint | agree | agree share | pages without hint: how decoded |")
    print("|---|---|---|---|---|")
    for name in corpus_names(root):
        hinted = agree = 0
        unhinted: Counter[str] = Counter()
        for page in read_corpus(root / f"{name}.tar.gz"):
            ours = decode(page.html)
            if page.encoding_hint is None:
                unhinted[f"{ours.source}:{ours.encoding}"] += 1
                continue
            codec = normalise_charset(page.encoding_hint) or "utf-8"
            theirs = page.html.decode(codec, errors="replace")
            hinted += 1
            agree += " ".join(ours.text.split()) == " ".join(theirs.split())
        share = agree / hinted if hinted else 1.0
        others = ", ".join(f"{k} {v}" for k, v in unhinted.most_common(4)) or "-"
        print(f"| {name} | {hinted} | {agree} | {share:.3f} | {others} |")


if __name__ == "__main__":
    main()
