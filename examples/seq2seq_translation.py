"""
Title: Neural machine translation with an LSTM encoder-decoder and attention
Description: Train the zoo's seq2seq family on Multi30k (German -> English) or Tatoeba
(English -> French), translate with greedy and beam search, score with corpus BLEU, draw
an attention map, save and reload.

Run on real data:

    python examples/seq2seq_translation.py --data multi30k --data-dir ../shared/data/multi30k/raw --epochs 5
    python examples/seq2seq_translation.py --data tatoeba --data-dir ../shared/data/tatoeba_fra_eng --limit 20000

Without ``--data-dir`` it learns the generated string-reversal task (offline, a minute).
"""

import argparse
import os

import lecun_zoo
from lecun_zoo.families.seq2seq.parallel_text import bucketed_dataset
from lecun_zoo.families.seq2seq.tokens import tokenize
from lecun_zoo.families.seq2seq import translate
from lecun_zoo.families.seq2seq.inference import plot_attention
from lecun_zoo.families.seq2seq.bleu import corpus_bleu

parser = argparse.ArgumentParser()
parser.add_argument("--data", default="multi30k", choices=["multi30k", "tatoeba"])
parser.add_argument("--data-dir", default=None, help="Multi30k raw folder or the Tatoeba fra-eng.zip folder")
parser.add_argument("--preset", default="attention", choices=["attention", "small", "tiny"])
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--limit", type=int, default=20000, help="Tatoeba: use the first N (shortest) pairs")
parser.add_argument("--beam-width", type=int, default=4)
parser.add_argument("--out", default="runs/example-seq2seq")
args = parser.parse_args()

"""
## The data

Parallel-text sources tokenise both sides, build the vocabularies on the training split
(rare words -> `<unk>`) and feed `({"source", "target_in"}, target_out)` with 0 as padding.
The vocabularies go into the model's config, so a saved model translates raw text.
"""

if args.data_dir is None:
    dataset, options = "reversal", {}
else:
    dataset = args.data
    options = {"data_dir": args.data_dir, "min_count": 2}
    if dataset == "tatoeba":
        options["limit"] = args.limit
info = lecun_zoo.data.info(dataset, **options)
(x_train, y_train), (x_val, y_val) = lecun_zoo.data.arrays(dataset, ("train", "validation"), **options)
print(f"{dataset}: {len(y_train)} training pairs, vocabularies {len(info.extra['source_vocab']) + 4} "
      f"-> {len(info.extra['target_vocab']) + 4}")

# Batches of similar lengths, trimmed to their longest sentence: far less padding.
train = bucketed_dataset(x_train, y_train, batch_size=64)
val = bucketed_dataset(x_val, y_val, batch_size=64, shuffle=False)

"""
## The model and training (teacher forcing)

The `attention` preset: one LSTM layer of 256 in the encoder and in the decoder, with
additive (Bahdanau) attention over every encoder state. `lecun_zoo.train` takes the
bucketed pipelines as they are; `adapt_to_data` gives the vocabularies and tokenisation
for the config. With `out` it writes the model, its history and a learning curve.
"""

family = lecun_zoo.get_family("seq2seq")
result = lecun_zoo.train("seq2seq", args.preset, data={"train": train, "validation": val}, epochs=args.epochs,
                         out=args.out, verbose=2, max_source_length=100, max_target_length=60,
                         **family.adapt_to_data(info))
model = result.model
model.summary()

"""
## Translation and BLEU

Decoding runs outside the training graph, one step at a time; beam search keeps the
`beam_width` best partial translations.
"""

source = lecun_zoo.data.get_source(dataset)
src_test, ref_test = source.texts("test", **options)
src_test, ref_test = src_test[:500], ref_test[:500]
refs = [tokenize(r, info.extra["target_level"], info.extra["lowercase"]) for r in ref_test]
for beam in (1, args.beam_width):
    out = translate(model, src_test, beam_width=beam, return_details=True)
    bleu = corpus_bleu([o.target_tokens for o in out], refs)
    print(f"beam width {beam}: {bleu}")
for s, r, o in list(zip(src_test, ref_test, out))[:5]:
    print(f"  source:    {s}\n  reference: {r}\n  model:     {o.text}")

"""
## Where the decoder looks

Each row is one output token, each column a source token: the weights of the attention
over the encoder states when that token was produced.
"""

if model.zoo_config.attention != "none":
    plot_attention(out[0], os.path.join(args.out, "attention.png"), title="attention")

"""
## Save and reload
"""

path = lecun_zoo.save(model, os.path.join(args.out, "seq2seq.keras"))
again = lecun_zoo.load(path)
assert translate(again, src_test[:5]) == translate(model, src_test[:5])
print(f"saved to {path}; learning curve and attention map in {args.out}")
