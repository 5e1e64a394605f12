"""What the word vectors show: nearest neighbours by cosine similarity, analogies
(``a - b + c``), category separation, and a labelled 2-D t-SNE picture."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

__all__ = ["word_vectors", "nearest", "analogy", "category_similarity", "tsne_plot"]


def word_vectors(model: Any):
    """``(vectors [vocab, dim] float32, tokens)`` of a word_lm model's input embedding table."""
    from lecun_zoo.families.word_lm.generation import vocabulary_of

    return np.asarray(model.embedding_matrix, dtype=np.float32), vocabulary_of(model).itos


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def _index(tokens: Sequence[str], word: str) -> int:
    try:
        return list(tokens).index(word)
    except ValueError:
        raise KeyError(f"{word!r} is not in the vocabulary ({len(tokens)} tokens)") from None


def _resolve(model_or_vectors: Any, tokens: Optional[Sequence[str]]):
    if tokens is None:
        return word_vectors(model_or_vectors)
    return np.asarray(model_or_vectors, dtype=np.float32), tuple(tokens)


def nearest(model_or_vectors: Any, word: str, k: int = 10, tokens: Optional[Sequence[str]] = None,
            exclude: Sequence[str] = ("<unk>",)) -> list[tuple[str, float]]:
    """The ``k`` tokens whose vectors have the highest cosine similarity with ``word``'s
    (``word`` itself excluded): ``[(token, similarity), ...]``. Pass a model, or a
    matrix ``[vocab, dim]`` with its ``tokens``."""
    vectors, toks = _resolve(model_or_vectors, tokens)
    return _rank(vectors, toks, _unit(vectors)[_index(toks, word)], k, {word, *exclude})


def analogy(model_or_vectors: Any, a: str, b: str, c: str, k: int = 5, tokens: Optional[Sequence[str]] = None,
            exclude: Sequence[str] = ("<unk>",)) -> list[tuple[str, float]]:
    """Tokens nearest (cosine) to ``a - b + c`` with unit-length vectors (``king - man +
    woman``), the three query words excluded."""
    vectors, toks = _resolve(model_or_vectors, tokens)
    u = _unit(vectors)
    query = u[_index(toks, a)] - u[_index(toks, b)] + u[_index(toks, c)]
    return _rank(vectors, toks, _unit(query), k, {a, b, c, *exclude})


def _rank(vectors, toks, query, k, skip) -> list[tuple[str, float]]:
    sims = _unit(vectors) @ query  # [vocab]
    order = np.argsort(-sims)
    out = []
    for i in order:
        if toks[i] in skip:
            continue
        out.append((toks[i], float(sims[i])))
        if len(out) == k:
            break
    return out


def category_similarity(model_or_vectors: Any, categories: dict, tokens: Optional[Sequence[str]] = None):
    """Mean cosine similarity of word pairs within a category and across categories:
    ``(within, across)``. Words missing from the vocabulary are skipped."""
    vectors, toks = _resolve(model_or_vectors, tokens)
    u = _unit(vectors)
    index = {t: i for i, t in enumerate(toks)}
    labelled = [(index[w], cat) for cat, words in categories.items() for w in words if w in index]
    within, across = [], []
    for i, (a, ca) in enumerate(labelled):
        for b, cb in labelled[i + 1:]:
            (within if ca == cb else across).append(float(u[a] @ u[b]))
    if not within or not across:
        raise ValueError("category_similarity needs two categories with words in the vocabulary, one with >= 2 words")
    return float(np.mean(within)), float(np.mean(across))


def tsne_plot(model_or_vectors: Any, words: Sequence[str], path: str, tokens: Optional[Sequence[str]] = None,
              perplexity: float = 0.0, seed: int = 0, title: str = "word vectors (t-SNE)",
              colors: Optional[dict] = None) -> str:
    """A 2-D t-SNE projection (scikit-learn) of the vectors of ``words``, drawn with
    their labels to a PNG at ``path``. Words not in the vocabulary are skipped.
    ``colors`` maps a word to a matplotlib colour (e.g. by category)."""
    from sklearn.manifold import TSNE

    from lecun_zoo.plots._mpl import pyplot

    vectors, toks = _resolve(model_or_vectors, tokens)
    index = {t: i for i, t in enumerate(toks)}
    chosen = [w for w in words if w in index]
    if len(chosen) < 3:
        raise ValueError(f"tsne_plot needs at least 3 words in the vocabulary; found {chosen}")
    x = vectors[[index[w] for w in chosen]]
    perp = perplexity or max(2.0, min(30.0, (len(chosen) - 1) / 3))
    xy = TSNE(n_components=2, perplexity=perp, random_state=seed, init="pca", metric="cosine").fit_transform(x)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 6))
    cols = [(colors or {}).get(w, "tab:blue") for w in chosen]
    ax.scatter(xy[:, 0], xy[:, 1], s=8, c=cols)
    for (px, py), w, col in zip(xy, chosen, cols):
        ax.annotate(w, (px, py), fontsize=7, xytext=(2, 2), textcoords="offset points", color=col)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
