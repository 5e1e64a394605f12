"""Metrics: BLEU, bits per sequence, perplexity."""
