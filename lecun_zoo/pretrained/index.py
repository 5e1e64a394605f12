"""Which trained weights exist, and where their files are found.

A family names a folder of its package (``Family.weights = "my_pkg.family:weights"``);
each sub-folder ``PRESET.TAG`` holding an ``entry.json`` is one set of trained weights,
``FAMILY/PRESET.TAG``. ``entry.json`` holds the recipe that makes them, the SHA-256 of
every file (absent while nobody has made them), an optional URL, the card's headline and
the minutes a reproduction took here. The files are looked for, in order: in that folder
(bundled with the package), in the local cache (``$LECUN_ZOO_HOME/weights/FAMILY/PRESET.TAG``,
default ``~/.cache/lecun_zoo``), then at the URL (downloaded once, with
``keras.utils.get_file``). Every file is checked against its SHA-256 before use.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import re
import warnings
from typing import Any, Optional

from lecun_zoo.pretrained.files import WeightsError, replacing, verify
from lecun_zoo.pretrained.folder import CARD, CONFIG, WEIGHTS, read_folder

__all__ = ["Entry", "entries", "ids", "find", "home", "cache_folder", "locate", "where"]

ID = re.compile(r"^(?P<family>[a-z][a-z0-9_]*)/(?P<preset>[A-Za-z0-9_]+)\.(?P<tag>[A-Za-z0-9_]+)$")


@dataclasses.dataclass(frozen=True)
class Entry:
    """One set of trained weights in the registry."""

    id: str
    family: str
    preset: str
    tag: str
    recipe: dict
    files: dict  # file name -> SHA-256; empty until someone makes the weights
    url: Optional[str] = None
    minutes: Optional[float] = None
    summary: str = ""
    headline: dict = dataclasses.field(default_factory=dict)  # {"metric", "value", "tolerance", "text"}
    data_dir_hint: str = ""  # e.g. "../shared/data/mnist": where reproduce found the data
    published: str = ""  # the paper's figure the weights are measured against
    bundled: Optional[str] = None  # the package folder of the entry

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def home() -> str:
    """``$LECUN_ZOO_HOME``, else ``$XDG_CACHE_HOME/lecun_zoo``, else ``~/.cache/lecun_zoo``."""
    if os.environ.get("LECUN_ZOO_HOME"):
        return os.path.abspath(os.environ["LECUN_ZOO_HOME"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "lecun_zoo")


def cache_folder(weights_id: str) -> str:
    family, rest = weights_id.split("/", 1)
    return os.path.join(home(), "weights", family, rest)


def _folder_of(fam: Any) -> Optional[str]:
    spec = getattr(fam, "weights", None)
    if not spec:
        return None
    import importlib.resources

    package, _, sub = spec.partition(":")
    root = importlib.resources.files(package)
    path = root.joinpath(sub) if sub else root
    return os.fspath(path) if path.is_dir() else None


def _read_entry(fam: Any, folder: str, name: str) -> Entry:
    path = os.path.join(folder, name, "entry.json")
    where = f"weights {fam.name}/{name} ({path})"
    m = ID.match(f"{fam.name}/{name}")
    if m is None:
        raise WeightsError(f"{where}: folder name {name!r} is not PRESET.TAG (letters, digits, _)")
    try:
        with open(path) as f:
            raw = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise WeightsError(f"{where}: cannot be read ({e})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("recipe"), dict):
        raise WeightsError(f"{where}: expected a JSON object with a 'recipe' object")
    if m["preset"] not in fam.presets:
        raise WeightsError(f"{where}: preset {m['preset']!r} is not one of {sorted(fam.presets)}")
    files = raw.get("files") or {}
    if files and set(files) != {CONFIG, WEIGHTS, CARD}:
        raise WeightsError(f"{where}: field 'files' got {sorted(files)}; expected SHA-256s of "
                           f"{[CONFIG, WEIGHTS, CARD]}")
    return Entry(id=f"{fam.name}/{name}", family=fam.name, preset=m["preset"], tag=m["tag"], recipe=raw["recipe"],
                 files=dict(files), url=raw.get("url"), minutes=raw.get("minutes"), summary=raw.get("summary", ""),
                 headline=dict(raw.get("headline") or {}), data_dir_hint=raw.get("data_dir_hint", ""),
                 published=raw.get("published", ""),
                 bundled=os.path.join(folder, name))


#: id -> why its entry.json could not be read (``find`` raises it; listings leave it out)
BROKEN: dict[str, str] = {}


def family_entries(fam: Any) -> list[Entry]:
    """The family's entries; a malformed one is left out with a warning (it affects only
    itself: asking for it raises the reason)."""
    folder = _folder_of(fam)
    if folder is None:
        return []
    out = []
    for name in sorted(os.listdir(folder)):
        if os.path.isfile(os.path.join(folder, name, "entry.json")):
            try:
                out.append(_read_entry(fam, folder, name))
            except WeightsError as e:
                BROKEN[f"{fam.name}/{name}"] = str(e)
                warnings.warn(f"lecun_zoo: trained weights left out: {e}", stacklevel=3)
    return out


def entries(family: Optional[str] = None) -> list[Entry]:
    """Every registry entry (of ``family`` only, when given), sorted by id. A family that
    fails to load or whose entries are malformed is left out with a warning: it affects
    only itself."""
    from lecun_zoo.registry import REGISTRY

    names = [REGISTRY.get(family).name] if family is not None else REGISTRY.names()
    out: list[Entry] = []
    for name in names:
        try:
            out += family_entries(REGISTRY.get(name))
        except Exception as e:  # noqa: BLE001 - a broken plugin affects only itself
            if family is not None:
                raise
            warnings.warn(f"lecun_zoo: trained weights of family {name!r} left out: {e}", stacklevel=2)
    return sorted(out, key=lambda e: e.id)


def ids(family: Optional[str] = None) -> list[str]:
    return [e.id for e in entries(family)]


def find(weights_id: str) -> Entry:
    """The entry of ``weights_id``; an unknown one gets "did you mean" and the list."""
    m = ID.match(weights_id)
    from lecun_zoo.registry import REGISTRY

    family = m["family"] if m else None
    pool = entries(family) if family in REGISTRY.names() else entries()
    for e in pool:
        if e.id == weights_id:
            return e
    if weights_id in BROKEN:
        raise WeightsError(BROKEN[weights_id])
    known = [e.id for e in (entries() if family is None or pool == [] else pool)]
    close = difflib.get_close_matches(weights_id, known, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    raise WeightsError(f"no trained weights {weights_id!r}{hint} (known: {', '.join(known) or 'none'}; "
                       f"`lecun-zoo weights` lists them)")


def where(entry: Entry) -> str:
    """``"bundled"``, ``"cache"``, ``"url"`` (not here, downloaded on first use) or ``"missing"``."""
    names = (CONFIG, WEIGHTS, CARD)
    if entry.files and entry.bundled and all(os.path.isfile(os.path.join(entry.bundled, n)) for n in names):
        return "bundled"
    if all(os.path.isfile(os.path.join(cache_folder(entry.id), n)) for n in names):
        return "cache"
    if entry.url and entry.files:
        return "url"
    return "missing"


def _fix(entry: Entry, folder: str) -> str:
    return (f"delete {folder} and ask again (it is fetched or made again: `lecun-zoo reproduce {entry.id}`)"
            if folder != entry.bundled else f"reinstall lecun_zoo or run `lecun-zoo reproduce {entry.id}`")


def _download(entry: Entry, folder: str) -> None:
    import keras

    with replacing(folder) as tmp:
        for name, digest in entry.files.items():
            origin = f"{entry.url.rstrip('/')}/{name}"
            try:
                keras.utils.get_file(fname=name, origin=origin, file_hash=digest, hash_algorithm="sha256",
                                     cache_dir=tmp, cache_subdir="")
            except Exception as e:  # noqa: BLE001 - urllib/Keras raise many kinds; name the URL
                raise WeightsError(f"weights {entry.id}: downloading {origin} failed ({type(e).__name__}: "
                                   f"{str(e).splitlines()[0] if str(e) else ''}); expected a file with SHA-256 "
                                   f"{digest}. Check the network, or run `lecun-zoo reproduce {entry.id}`") from None
        verify(tmp, entry.files, what=f"weights {entry.id} from {entry.url}",
               fix=f"the server holds other files; run `lecun-zoo reproduce {entry.id}`")


def locate(entry: Entry) -> str:
    """A local folder holding ``entry``'s files, each checked against its SHA-256 (the
    registry's, or for weights made here without them, the card's own)."""
    what = f"weights {entry.id}"
    state = where(entry)
    if state == "missing":
        minutes = f" (about {entry.minutes:g} minutes here)" if entry.minutes else ""
        raise WeightsError(f"{what} are not present on this machine; `lecun-zoo reproduce {entry.id}` makes "
                           f"them{minutes} and puts them in {cache_folder(entry.id)}")
    folder = entry.bundled if state == "bundled" else cache_folder(entry.id)
    if state == "url":
        _download(entry, folder)
    # weights reproduced here differ from the registry's bits; their card's hashes hold them
    expected = entry.files if state != "cache" or _matches(folder, entry.files) else None
    read_folder(folder, what=what, expected=expected, fix=_fix(entry, folder))
    return folder


def _matches(folder: str, files: dict) -> bool:
    """Whether a cached folder claims to be the registry's own files (its card's hashes equal
    the registry's): then they are checked against the registry, not only against the card."""
    if not files:
        return False
    try:
        with open(os.path.join(folder, CARD)) as f:
            card_files = json.load(f).get("files", {})
    except (OSError, ValueError, AttributeError):
        return True  # unreadable card: check against the registry, which names the broken file
    return all(files.get(k) == v for k, v in card_files.items())
