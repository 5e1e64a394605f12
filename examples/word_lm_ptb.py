"""
Title: Word-embedding language models on the Penn Treebank
Description: a Kneser-Ney baseline, an LSTM language model with truncated BPTT,
perplexities, sampling, and a t-SNE picture of the learned word vectors.

Run:

    python examples/word_lm_ptb.py --data-dir /work/shared/data/ptb --minutes 3

## Introduction

A neural language model gives every word a feature vector (an embedding) and predicts
the next word from the vectors of the words before it (Bengio et al. 2003). Words
that occur in similar contexts end up with similar vectors, which is what lets the
model generalise to word sequences it never saw: the point LeCun, Bengio & Hinton
make with their Fig. 4. Here we compare a count-based baseline (interpolated
Kneser-Ney) with the LSTM language model of Zaremba et al. (2014), then look at the
word vectors.
"""

import argparse
import time

import keras

import lecun_zoo
from lecun_zoo.families.word_lm.corpus import PTB
from lecun_zoo.families.word_lm.embeddings import analogy, nearest, tsne_plot
from lecun_zoo.families.word_lm.generation import generate
from lecun_zoo.families.word_lm.kneser_ney import KneserNey

parser = argparse.ArgumentParser(description="word_lm on the Penn Treebank")
parser.add_argument("--data-dir", required=True, help="folder with ptb.train.txt, ptb.valid.txt, ptb.test.txt")
parser.add_argument("--preset", default="small", help="small (Zaremba et al.), medium, nplm or rnn")
parser.add_argument("--epochs", type=int, default=1)
parser.add_argument("--minutes", type=float, default=3.0, help="stop training after this long (CPU friendly)")
parser.add_argument("--precision", default="mixed_bfloat16")
parser.add_argument("--tsne", default="word_lm_ptb_tsne.png")
args = parser.parse_args()

"""
## A count-based baseline: interpolated Kneser-Ney

The vocabulary has `<unk>` at id 0 and the training words by frequency; every line
of PTB ends with `<eos>`.
"""

vocab = PTB.vocabulary(args.data_dir)
train_ids, test_ids = PTB.ids("train", args.data_dir), PTB.ids("test", args.data_dir)
print(f"vocabulary: {len(vocab)} words; train {len(train_ids):,} tokens; test {len(test_ids):,} tokens")
t0 = time.time()
kn = KneserNey(order=5, vocab_size=len(vocab)).fit(train_ids)
print(f"interpolated KN-5 test perplexity: {kn.perplexity(test_ids):.1f} ({time.time() - t0:.1f} s)")

"""
## The LSTM language model

`lecun_zoo.train` reads the corpus with the family's `data_options`, what the model
needs: windows of `seq_len` tokens and, for a stateful model, the corpus cut into
`batch_size` parallel streams so that each batch continues the previous one (truncated
backpropagation through time). `adapt_to_data` copies the vocabulary into the config,
so the saved model tokenises the same way after reloading. Training stops after
`--minutes`; the test split is scored at the end.
"""


class StopAfter(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.t0 = time.time()

    def on_train_batch_end(self, batch, logs=None):
        if time.time() - self.t0 > args.minutes * 60:
            self.model.stop_training = True


batch_size = lecun_zoo.get_family("word_lm").make_config(args.preset).batch_size
result = lecun_zoo.train("word_lm", args.preset, data="ptb", data_dir=args.data_dir, epochs=args.epochs,
                         batch_size=batch_size, precision=args.precision, callbacks=[StopAfter()], verbose=2)
result.model.summary()
print(f"{args.preset} test perplexity: {result.metrics['perplexity']:.1f}")

"""
## Sampling and reloading

Unknown prompt words map to `<unk>`. The vocabulary travels inside the `.keras` file.
"""

path = lecun_zoo.save(result.model, "word_lm_ptb.keras")
model = lecun_zoo.load(path)
print("sample:", generate(model, "the company said", length=30, temperature=0.8, top_k=50, seed=0))

"""
## What the word vectors show
"""

for word in ("monday", "company", "he", "three"):
    print(f"nearest({word!r}):", ", ".join(f"{w} ({s:.2f})" for w, s in nearest(model, word, 6)))
print("analogy he - she + her:", analogy(model, "he", "she", "her", 3))
words = ("monday tuesday wednesday thursday friday january march june october he she they we it is was are "
         "were company bank firm stock shares bonds said says reported two three four five million billion "
         "new york tokyo japan").split()
print("t-SNE picture:", tsne_plot(model, words, args.tsne))
