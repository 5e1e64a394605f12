"""The headline table of docs/results.md, generated from the cards of the trained weights.

    python bench/results_table.py            # print the table
    python bench/results_table.py --write    # replace it in docs/results.md (between markers)

One row per registry entry: the id, the card's headline with its tolerance, the published
figure it is measured against, where the files are, the recipe (epochs, data, seed) and the
command that reproduces it. Entries without files say how long ``lecun-zoo reproduce`` took
or is expected to take here.
"""

import argparse
import os

from lecun_zoo.pretrained import entries, where
from lecun_zoo.pretrained.rerun import card_of

BEGIN, END = "<!-- weights-table: begin (bench/results_table.py --write) -->", "<!-- weights-table: end -->"
DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "results.md")


def table() -> str:
    rows = ["| weights | headline (test) | published | files | recipe | reproduce |", "|---|---|---|---|---|---|"]
    for e in entries():
        card = card_of(e)
        head = (card or {}).get("headline") or e.headline
        text = head.get("text") or f"{head.get('metric', '?')}: not measured yet"
        if "tolerance" in head:
            text += f" (tolerance {head['tolerance']:g})"
        r = e.recipe
        recipe = (f"{r.get('preset')} on {r.get('data')}, {r.get('epochs')} epochs, batch {r.get('batch_size')}, "
                  f"seed {r.get('seed')}, {r.get('precision')}")
        state = where(e)
        files = {"bundled": "bundled in the package", "cache": "in the local cache", "url": "downloaded on first use",
                 "missing": f"not present (about {e.minutes:g} min to make)" if e.minutes else "not present"}[state]
        if card:
            files += f"; trained in {card['train_seconds']:.0f} s on {card['machine']['cpu']} ({card['date'][:10]})"
        hint = f" --data-dir {e.data_dir_hint}" if e.data_dir_hint else ""
        link = f"[{e.id}](../lecun_zoo/families/{e.family}/weights/{e.preset}.{e.tag}/README.md)" if state == "bundled" \
            else e.id
        rows.append(f"| {link} | {text} | {e.published or '-'} | {files} | {recipe} | "
                    f"`lecun-zoo reproduce {e.id}{hint}` |")
    return "\n".join(rows)


def main(argv=None) -> str:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help=f"replace the table in {DOCS}")
    args = ap.parse_args(argv)
    text = table()
    if args.write:
        with open(DOCS) as f:
            doc = f.read()
        block = f"{BEGIN}\n{text}\n{END}"
        if BEGIN in doc:
            doc = doc[:doc.index(BEGIN)] + block + doc[doc.index(END) + len(END):]
        else:
            raise SystemExit(f"{DOCS} has no {BEGIN!r} marker; add one where the table goes")
        with open(DOCS, "w") as f:
            f.write(doc)
    print(text)
    return text


if __name__ == "__main__":
    main()
