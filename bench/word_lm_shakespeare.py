"""Character-level LSTM on Tiny Shakespeare: test bits per character and a sample.

    python bench/word_lm_shakespeare.py --data-dir /work/shared/data/tiny_shakespeare --minutes 2

Trains a character LSTM on shuffled 100-character windows, each from a zero state
(as the sampler starts from a zero state: a model trained with the state carried across
batches drifts to states a fresh sampler never has, and its samples start badly), through
``lecun_zoo.train``, for at most ``--epochs`` epochs or ``--minutes`` minutes of training
(its validation pass after each epoch is not counted), scores the whole test split
(55,770 characters, tensorflow-datasets' split) and samples ``--sample`` characters.
"""

from __future__ import annotations

import argparse
import json

CONFIG = dict(architecture="lstm", level="char", embedding_dim=64, hidden_units=256, num_layers=1, dropout=0.0,
              seq_len=100, batch_size=32, stateful=False, optimizer="adam", learning_rate=2e-3, clipnorm=5.0,
              init_scale=0.0, lr_decay=1.0)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", default=None, help="folder with Karpathy's input.txt (else tensorflow-datasets' data_dir)")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--minutes", type=float, default=2.0)
    p.add_argument("--precision", default="mixed_bfloat16")
    p.add_argument("--sample", type=int, default=300)
    p.add_argument("--prompt", default="ROMEO:")
    p.add_argument("--temperature", type=float, default=0.8)
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)

    import lecun_zoo
    from lecun_zoo.families.word_lm.generation import generate
    from word_lm_ptb import TimeBudget  # stops after --minutes of training, validation not counted

    budget = TimeBudget(args.minutes * 60)
    # a Recipe, since train()'s own batch_size keyword would not set the config's field of that name
    recipe = lecun_zoo.Recipe("word_lm", preset="tiny", overrides=CONFIG, data="tiny_shakespeare", epochs=args.epochs,
                              batch_size=CONFIG["batch_size"], precision=args.precision)
    result = lecun_zoo.train(recipe=recipe, data_dir=args.data_dir, callbacks=[budget.callback], verbose=2)
    model, cfg, res, steps = result.model, result.config, result.metrics, budget.callback.steps
    train_s = result.train_seconds - budget.callback.val_s
    sample = generate(model, args.prompt, length=args.sample, temperature=args.temperature, seed=0)
    chars = steps * cfg.batch_size * cfg.seq_len
    row = {"model": f"char LSTM 1x{cfg.hidden_units} ({model.count_params():,} params)", "vocab": cfg.vocab_size,
           "test_bpc": float(res["bits_per_token"]), "test_ppl": float(res["perplexity"]), "steps": steps,
           "train_chars": chars, "epochs_done": chars / 1_003_854, "wall_s": train_s,
           "precision": args.precision, "sample": args.prompt + sample}
    print(json.dumps({k: v for k, v in row.items() if k != "sample"}))
    print(f"\ntest bits per character: {row['test_bpc']:.3f} after {steps} steps "
          f"({row['epochs_done']:.2f} epochs, {train_s:.0f} s)\n--- sample (temperature {args.temperature}) ---")
    print(row["sample"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(row, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
