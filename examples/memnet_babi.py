"""
Title: Question answering on bAbI with an end-to-end memory network
Description: a 3-hop MemN2N (Sukhbaatar et al. 2015) reads a story and answers a question,
and shows which sentences each hop looked at.

Run it with the real bAbI files (any folder holding `qaN_*_train.txt`, or a folder above
`tasks_1-20_v1-2/en`):

    python examples/memnet_babi.py --data-dir ../shared/data/babi --task 1 --epochs 30

Without `--data-dir` it trains on the generated single-supporting-fact task, whose people
are hobbits, so "Frodo" is a word it knows.
"""

import argparse
import os

import lecun_zoo
from lecun_zoo.families.memnet import answer, plot_attention

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--data-dir", default=None, help="bAbI folder; default: generated stories")
parser.add_argument("--task", default="1", help="bAbI task(s): 1, '1,2' or 'all'")
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--out", default="runs/memnet-example")
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)

"""
## The data

Each example is a story (the last 50 sentences before the question, most recent first),
a question and a one-word answer, as word ids. The vocabulary comes with the data and is
stored in the model's config, so a saved model can read plain English later.
`lecun_zoo.train` reads it with the model's memory size, and carves a validation split
from train.
"""

name, task = ("babi", args.task) if args.data_dir else ("babi_generated", 1)

"""
## The model

Three hops, adjacent weight tying, position encoding, temporal encoding, 10 % random
empty memories in training, and linear start: the hops start without their softmax and
get it back when the validation loss stops falling (the family's staged training, which
`lecun_zoo.train` runs). The paper trains with SGD; Adam gets there in fewer epochs on a
small CPU.

Not in the paper: `unknown_word_noise=0.25` turns, in a quarter of the training examples,
one question word into `<unk>` in the question and the story alike. The `<unk>` embedding
then means "a word I have not seen, the same here and there", so the model can answer
about a name that bAbI never uses (Frodo) as long as it is the only new word.
"""

result = lecun_zoo.train("memnet", "babi_single", data=name, data_dir=args.data_dir, epochs=args.epochs,
                         batch_size=32, verbose=2, task=task, optimizer="adam", loss_reduction="mean",
                         learning_rate=0.01, ls_learning_rate=0.01, ls_epochs=0, anneal_every=15,
                         unknown_word_noise=0.25)
model = result.model
print(f"{name}: vocabulary of {len(model.zoo_config.vocab)} words")
print(f"linear start ran {result.history.linear_start_epochs} epochs")
print(f"test accuracy {result.metrics['accuracy']:.3f}")

"""
## Asking questions

`answer` tokenizes the story, keeps its last `memory_size` sentences and returns the
answer with each hop's attention over the sentences. Words the model never saw are read
as `<unk>` (and listed); pass `on_unknown="raise"` to refuse them instead.
"""

stories = [
    ("Mary moved to the bathroom. John went to the hallway. Mary travelled to the office.", "Where is Mary?"),
    ("Frodo went to the kitchen. Sandra journeyed to the garden. Daniel moved to the hallway.", "Where is Frodo?"),
]
for story, question in stories:
    res = answer(model, story, question)
    print(f"\n{story}\n{question} -> {res.answer} ({res.probability:.2f})")
    if res.unknown_words:
        print(f"  read as <unk>: {res.unknown_words}")
    for k, row in enumerate(res.attention, start=1):
        print(f"  hop {k}: " + "  ".join(f"{a:.2f}" for a in row))
path = plot_attention(res, os.path.join(args.out, "attention.png"), question=question)
print(f"\nattention plot: {path}")

"""
## Saving

The vocabulary is part of the config, so the reloaded model answers the same.
"""

saved = lecun_zoo.save(model, os.path.join(args.out, "memnet.keras"))
again = lecun_zoo.load(saved)
assert answer(again, *stories[0]).answer == answer(model, *stories[0]).answer
print(f"saved to {saved}")
