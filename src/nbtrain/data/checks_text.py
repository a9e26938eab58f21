"""Checks on the texts themselves: empty or very short ones, noise, and length in model tokens."""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
from ftfy.badness import is_bad

from nbtrain.data.dataset import REASON_EMPTY_TEXT
from nbtrain.data.finding import IN_DATA, SET_ASIDE, Finding, Severity, make_finding, plural

NOISE_PATTERNS: Mapping[str, re.Pattern[str]] = {
    "url": re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE),
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]*[a-z]{2,}", re.IGNORECASE),
    "html_tag": re.compile(r"</?[a-z][a-z0-9]*(?:\s[^<>]*)?/?>", re.IGNORECASE),
    # Real entities (&amp;) and the stripped-ampersand remains of them (#39; quot;) seen in scraped news.
    "html_entity": re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]{2,8});|(?<!&)#\d{2,4};|(?<![&\w])(?:quot|amp|nbsp|lt|gt);", re.IGNORECASE),
    "special_run": re.compile(r"[!-/:-@\[-`{-~]{5,}"),
    "user_mention": re.compile(r"(?<![\w.])@\w+|<user>|\[user\]", re.IGNORECASE),
    "escape": re.compile(r"\\[$&\"'#%]"),
    "ptb_tokens": re.compile(r"-[lr][rcs]b-|\s(?:n't|'s|'re|'ve|'ll|'m|'d)\b", re.IGNORECASE),
}
_NOISE_ADVICE = {
    "url": "URLs rarely help a classifier; strip them",
    "email": "e-mail addresses are personal data; remove them",
    "html_tag": "HTML tags are markup, not text; strip them",
    "html_entity": "decode HTML entities (&amp; → &)",
    "mojibake": "text was decoded with the wrong codec (Ã© for é); repair it with ftfy.fix_text",
    "special_run": "long runs of punctuation are often scraping debris",
    "user_mention": "@user placeholders are fine when consistent between training and use",
    "escape": "backslash escapes (\\$) are left over from an export",
    "ptb_tokens": "the text is tokenised (-lrb-, wo n't); new inputs must be tokenised the same way",
}
# What each pattern cannot match without, as a regular expression simple enough for pyarrow's
# vectorised engine: it spares the Python regex search on most rows (on 85,000 rows, 1.2 s of 1.6 s).
_NEEDS = {
    "url": r"(?i)http|www\.", "email": "@", "html_tag": "<", "html_entity": ";", "special_run": "",
    "user_mention": r"(?i)@|<user>|\[user\]", "escape": r"\\", "ptb_tokens": r"(?i)-[lr][rcs]b-|\s(?:n't|')",
}  # fmt: skip
# What str.split() splits on: a text is tidy when its only whitespace is single spaces between words.
_SPACE = "".join(chr(i) for i in range(0x3001) if chr(i).isspace())
_UNTIDY = f"^[{_SPACE}]|[{_SPACE}]$|[{_SPACE}]{{2}}|[{_SPACE.replace(' ', '')}]"
_FIXABLE = {"url", "html_tag", "html_entity"}
# Kinds that change what the model reads; mentions and PTB tokens are worth knowing, not fixing.
_SERIOUS = {"url", "email", "html_tag", "html_entity", "mojibake", "escape"}


def check_empty_texts(rows: pd.DataFrame, dropped: pd.DataFrame, *, min_words: int = 2) -> Finding:
    """Empty texts were set aside at load; texts under ``min_words`` words carry little signal.

    Lists the dropped empty and whitespace-only rows (``status`` "set aside at load") and the short
    rows still in the data, with ``kind`` "empty", "whitespace only" or "short".

    >>> rows = pd.DataFrame({"split": "train", "source": "f", "row": [2, 3],
    ...                      "text": ["ok", "fine by me"], "label": ["a", "a"]})
    >>> check_empty_texts(rows, rows.head(0).assign(reason="")).rows["row"].tolist()
    [2]
    """
    empty = dropped[dropped["reason"] == REASON_EMPTY_TEXT].drop(columns="reason")
    empty = empty.assign(kind=np.where(empty["text"] == "", "empty", "whitespace only"), status=SET_ASIDE)
    short = rows[rows["text"].str.count(r"\S+") < min_words].assign(kind="short", status=IN_DATA)
    found = pd.concat([f for f in (empty, short) if len(f)]) if len(empty) or len(short) else short
    if found.empty:
        return make_finding("empty_texts", "ok", f"No empty texts and none under {min_words} words.", found, "")
    message = (
        f"{plural(len(empty), 'empty or whitespace-only text')} set aside at load; "
        f"{plural(len(short), 'text')} under {plural(min_words, 'word')} in the data."
    )
    severity: Severity = "warning" if len(short) > 0.05 * max(len(rows), 1) else "info"
    advice = "Check that very short texts are real inputs; fill in or delete the empty rows in the file."
    return make_finding("empty_texts", severity, message, found, advice)


def check_text_noise(rows: pd.DataFrame) -> Finding:
    """URLs, e-mail addresses, HTML, mojibake, punctuation runs, mentions and export artefacts.

    Lists each row with at least one kind of noise; ``noise`` names the kinds found, comma-separated.

    >>> rows = pd.DataFrame({"split": "train", "source": "f", "row": [2, 3],
    ...                      "text": ["Tom &amp; Jerry", "plain"], "label": ["a", "a"]})
    >>> check_text_noise(rows).rows["noise"].tolist()
    ['html_entity']
    """
    texts = rows["text"]
    flags = {kind: _search(texts, pattern, _NEEDS[kind]) for kind, pattern in NOISE_PATTERNS.items()}
    # Mojibake needs non-ASCII characters; most rows are pure ASCII and skip ftfy entirely.
    flags["mojibake"] = _search(texts, None, "", candidates=~texts.str.isascii())
    table = pd.DataFrame(flags)
    any_noise = table.any(axis=1)
    names = pd.Series("", index=rows.index)
    for kind in table.columns:
        names = names.where(~table[kind], names + ", " + kind)
    found = rows[any_noise].assign(noise=names[any_noise].str.removeprefix(", "))
    if found.empty:
        return make_finding("text_noise", "ok", "No URLs, HTML, mojibake or other noise found.", found.assign(noise=""), "")
    totals = table.sum().sort_values(ascending=False)
    totals = totals[totals > 0]
    parts = ", ".join(f"{kind} {n:,}" for kind, n in totals.items())
    message = f"{plural(len(found), 'row')} contain noise ({parts})."
    advice = "; ".join(_NOISE_ADVICE[kind] for kind in totals.index) + "."
    serious = int(table[sorted(_SERIOUS)].any(axis=1).sum())
    severity: Severity = "warning" if totals.get("mojibake", 0) or serious > 0.01 * len(rows) else "info"
    fix = "strip_html_and_urls" if _FIXABLE & set(totals.index) else None
    return make_finding("text_noise", severity, message, found, advice, fix)


def check_whitespace(rows: pd.DataFrame) -> Finding:
    """Leading, trailing or repeated whitespace, tabs and line breaks: invisible, yet they make
    equal texts differ and waste tokens.

    >>> rows = pd.DataFrame({"split": "train", "source": "f", "row": [2, 3], "text": [" a  b", "a b"], "label": "x"})
    >>> check_whitespace(rows).rows["row"].tolist()
    [2]
    """
    # One vectorised regex instead of splitting and joining every text in Python.
    found = rows[rows["text"].str.contains(_UNTIDY, regex=True).to_numpy(dtype=bool)]
    if found.empty:
        return make_finding("whitespace", "ok", "No stray whitespace.", found, "")
    message = f"{plural(len(found), 'text')} have leading, trailing or repeated whitespace, tabs or line breaks."
    advice = "Normalise whitespace: one space between words, none at the ends."
    return make_finding("whitespace", "info", message, found, advice, "normalise_whitespace")


def check_token_lengths(
    rows: pd.DataFrame, lengths: np.ndarray, max_length: int, *, unit: str = "tokens"
) -> Finding:
    """Texts longer than the model's maximum are cut; what comes after the cut is never read.

    ``lengths`` holds one length per row of ``rows`` in ``unit`` (model tokens, or whitespace
    words when no encoder is at hand). Lists the rows over ``max_length`` with their ``length``.

    >>> rows = pd.DataFrame({"split": "train", "source": "f", "row": [2, 3], "text": ["a b c", "a"], "label": "x"})
    >>> check_token_lengths(rows, np.array([5, 3]), 4).rows["length"].tolist()
    [5]
    """
    if len(lengths) != len(rows):
        raise ValueError(f"{len(lengths)} lengths for {len(rows)} rows")
    measured = rows.assign(length=np.asarray(lengths, dtype=int))
    cut = measured[measured["length"] > max_length]
    words = unit != "tokens"
    note = " (whitespace words, no encoder given: model tokens are about 1.3× more)" if words else ""
    p95 = int(np.percentile(lengths, 95)) if len(lengths) else 0
    if cut.empty:
        message = f"No text exceeds the maximum of {max_length} {unit}{note}; 95% have ≤ {p95}."
        return make_finding("token_lengths", "ok", message, cut, "")
    share = len(cut) / len(rows)
    message = f"{plural(len(cut), 'text')} ({share:.1%}) exceed the maximum of {max_length} {unit} and will be truncated{note}; 95% have ≤ {p95}."
    severity: Severity = "info" if words or share <= 0.05 else "warning"
    advice = "Raise max_length (slower training), or put what decides the label at the start of each text."
    return make_finding("token_lengths", severity, message, cut, advice)


def _search(
    texts: pd.Series, pattern: re.Pattern[str] | None, needs: str, candidates: pd.Series | None = None
) -> pd.Series:
    """Which texts match ``pattern`` (or look like mojibake when it is None), testing only candidates."""
    if candidates is None:
        candidates = texts.str.contains(needs, regex=True) if needs else pd.Series(True, index=texts.index)
    hits = pd.Series(False, index=texts.index)
    subset = texts[candidates]
    if len(subset):
        hits[candidates] = subset.map(is_bad).astype(bool) if pattern is None else subset.str.contains(pattern)
    return hits
