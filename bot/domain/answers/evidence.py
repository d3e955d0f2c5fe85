"""Evidence for the self-graded checklist: the candidate's own words closest to each key point.

No offline method tells a right statement from a wrong one in the same words, so this never
ticks a box: it shows the clause of the answer closest to each point and flags the points the
answer does not seem to mention (issue #14). TF-IDF cosine over Snowball-stemmed words (IDF over
the bank's key points) scores each point's label, and its label + why, against every sentence
and clause (the higher counts); a clause counts only for the points within CLAUSE_MARGIN of its
best one, so a clause about point A does not "find" point B through one shared word.
"""

from __future__ import annotations

import bisect
import math
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import snowballstemmer

from bot.core.models import Bank

# Chosen by leave-one-question-out evaluation on tests/evidence_set.yaml (the folds pick
# 0.095–0.14; the whole set and the folds' median pick 0.1175).
THRESHOLD = 0.12
CLAUSE_MARGIN = 0.05
# A checkbox description holds 100 characters: `You: “` + quote + `”`, with … at cut ends.
DESCRIPTION_LIMIT = 100
QUOTE_LIMIT = DESCRIPTION_LIMIT - len("You: “”") - 2 * len("…")
NOT_FOUND = "Not found in your answer: tick it only if you said it in other words"
# The longest answer the bot takes (a mock round's limit); anything after it is not read.
MAX_TEXT = 20_000
# Stems are cached word by word (pure-Python stemming is ~40 µs a word); bounded for memory.
STEM_CACHE_LIMIT = 50_000

WORD = re.compile(r"[^\W_]+")
# A full stop ends a sentence unless it ends "e.g." or "i.e." (key points use both).
SENTENCE_BREAK = re.compile(r"(?<!e\.g)(?<!i\.e)[.!?]+(?=\s|$)|[\r\n\u2028\u2029]", re.IGNORECASE)
# Punctuation inside a token ("10,000", "product:42") does not end a clause.
CLAUSE_BREAK = re.compile(
    r"[,;:](?=\s)|[()\[\]{}\"“”]|\s[-–—]+\s|\b(?:and|or|but|because|so|which|while|whereas|though"
    r"|although|then|otherwise|unless|since|if|when)\b",
    re.IGNORECASE,
)
# A piece of one or two words ("reads", "TTL as well") is no clause: it joins its neighbour.
MIN_CLAUSE_WORDS = 3
QUOTE_STRIP = " \t*_`~>#-•|,;:"
# Words that carry no point of system design (negations too: a mention is what is shown).
STOPWORDS = frozenset(
    """a about again all also am an and any are as at be been being both but by can could did do
    does doing don doesn during each either else even ever every few for from further had has
    have having he her here hers him his how however i if in into is isn it its itself just let
    ll me more most much must my no nor not now of on once only or other our ours own per quite
    re really s she should so some such t than that the their theirs them then there these they
    this those though through thus to too under until upon us ve very was wasn we were what when
    where whether which while who whom whose why will with won would yes yet you your yours d m
    o y ok okay like well gonna wanna maybe probably basically actually""".split()  # noqa: SIM905 (reads best as text)
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the answer shows for one key point; never whether the point was made well."""

    score: float
    found: bool
    quote: str | None
    cut_before: bool = False
    cut_after: bool = False


def describe(evidence: Evidence) -> str:
    """The checkbox description: the candidate's closest words, or a not-found hint."""
    if not evidence.found or not evidence.quote:
        return NOT_FOUND
    before = "…" if evidence.cut_before else ""
    after = "…" if evidence.cut_after else ""
    return f"You: “{before}{evidence.quote}{after}”"


class _Stems:
    """The English Snowball stemmer behind a word cache (stemming is pure, so caching is too)."""

    def __init__(self) -> None:
        self._stemmer = snowballstemmer.stemmer("english")
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        stem = self._cache.get(word)
        if stem is None:
            if len(self._cache) >= STEM_CACHE_LIMIT:
                self._cache.clear()
            stem = sys.intern(self._stemmer.stemWord(word))
            self._cache[word] = stem
        return stem

    def words(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, stem) of each content word: no stopwords, digits or single letters."""
        for match in WORD.finditer(text):
            word = match.group().lower()
            if len(word) > 1 and not word.isdigit() and word not in STOPWORDS:
                yield match.start(), match.end(), self(word)


def _unit(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """TF-IDF weights scaled to length 1 (cosine is then a plain dot product)."""
    weights = {stem: count * idf[stem] for stem, count in counts.items() if stem in idf}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {stem: w / norm for stem, w in weights.items()} if norm else {}


@dataclass(frozen=True, slots=True)
class _Checklist:
    """The key points of one question (or probe) as an inverted index of unit TF-IDF vectors:
    stem -> (point, weight in its label, weight in its label + why), so scoring a clause costs
    only the stems it shares with the checklist."""

    size: int
    postings: dict[str, tuple[tuple[int, float, float], ...]]

    @classmethod
    def of(cls, labels: list[dict[str, float]], fulls: list[dict[str, float]]) -> _Checklist:
        postings: dict[str, list[tuple[int, float, float]]] = {}
        for i, (label, full) in enumerate(zip(labels, fulls, strict=True)):
            for stem in dict.fromkeys([*label, *full]):
                postings.setdefault(stem, []).append((i, label.get(stem, 0.0), full.get(stem, 0.0)))
        return cls(len(labels), {stem: tuple(p) for stem, p in postings.items()})

    def scores(self, segment: dict[str, float]) -> list[float]:
        """Each point's cosine with the segment: its label's or its label + why's, the higher."""
        label, full = [0.0] * self.size, [0.0] * self.size
        for stem, weight in segment.items():
            for i, in_label, in_full in self.postings.get(stem, ()):
                label[i] += weight * in_label
                full[i] += weight * in_full
        return [max(pair) for pair in zip(label, full, strict=True)]

    def weight(self, point: int, stem: str) -> float:
        """How much one stem counts for one point (to pick which words to quote)."""
        posts = self.postings.get(stem, ())
        return max((max(lw, fw) for i, lw, fw in posts if i == point), default=0.0)


@dataclass(frozen=True, slots=True)
class _Segment:
    """A sentence, or a clause of a sentence with more than one, and its unit vector."""

    start: int
    end: int
    clause: bool
    words: tuple[tuple[int, int, str], ...]
    vector: dict[str, float]


def _spans(text: str, breaks: re.Pattern[str], start: int, end: int) -> Iterator[tuple[int, int]]:
    """The pieces of text[start:end] between the matches of `breaks`."""
    at = start
    for match in breaks.finditer(text, start, end):
        if match.start() > at:
            yield at, match.start()
        at = max(at, match.end())
    if end > at:
        yield at, end


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The clauses of one sentence, short pieces joined to the clause before (or after) them."""
    pieces: list[list[int]] = []
    for a, b in _spans(text, CLAUSE_BREAK, start, end):
        count = len(WORD.findall(text, a, b))
        if pieces and (count < MIN_CLAUSE_WORDS or pieces[-1][2] < MIN_CLAUSE_WORDS):
            pieces[-1][1:] = [b, pieces[-1][2] + count]
        else:
            pieces.append([a, b, count])
    return [(a, b) for a, b, _ in pieces]


@dataclass(frozen=True, eq=False)
class EvidenceIndex:
    """The bank's key points as TF-IDF vectors; build once at load and again on reload."""

    idf: dict[str, float]
    checklists: dict[tuple[str, int | None], _Checklist]
    aliases: dict[str, str]
    stems: _Stems
    threshold: float = THRESHOLD

    @classmethod
    def build(cls, bank: Bank, threshold: float = THRESHOLD) -> EvidenceIndex:
        """Index every key point of every question and probe in the bank."""
        stems = _Stems()
        blocks = {
            (question.id, probe): question.points(probe)
            for question in bank.in_topics()
            for probe in (None, *range(len(question.probes)))
        }

        def counts(text: str) -> Counter[str]:
            return Counter(stem for _, _, stem in stems.words(text))

        labels = {key: [counts(p.label) for p in block] for key, block in blocks.items()}
        fulls = {
            key: [counts(f"{p.label} {p.why}") for p in block] for key, block in blocks.items()
        }
        idf = _idf([c for block in fulls.values() for c in block])
        checklists = {
            key: _Checklist.of(
                [_unit(c, idf) for c in labels[key]], [_unit(c, idf) for c in fulls[key]]
            )
            for key in blocks
        }
        return cls(idf, checklists, dict(bank.aliases), stems, threshold)

    def match(self, question_id: str, probe: int | None, answer: str) -> tuple[Evidence, ...]:
        """One Evidence per key point of the question (or probe), in checklist order."""
        if (question_id, None) not in self.checklists:
            question_id = self.aliases.get(question_id, question_id)
        checklist = self.checklists.get((question_id, probe))
        if checklist is None:
            raise KeyError(f"no question {question_id!r} with probe {probe!r} in the index")
        text = (answer or "")[:MAX_TEXT]
        best = _best_segments(checklist, self._segments(text, checklist))
        return tuple(
            self._evidence(text, checklist, i, score, segment)
            for i, (score, segment) in enumerate(best)
        )

    def _segments(self, text: str, checklist: _Checklist) -> list[_Segment]:
        """The sentences and clauses sharing a stem with the checklist (the rest score 0)."""
        words = [w for w in self.stems.words(text) if w[2] in self.idf]
        starts = [w[0] for w in words]

        def segment(a: int, b: int, clause: bool) -> _Segment | None:
            inside = tuple(words[bisect.bisect_left(starts, a) : bisect.bisect_left(starts, b)])
            if not any(w[2] in checklist.postings for w in inside):
                return None
            return _Segment(a, b, clause, inside, _unit(Counter(w[2] for w in inside), self.idf))

        segments: list[_Segment] = []
        for start, end in _spans(text, SENTENCE_BREAK, 0, len(text)):
            sentence = segment(start, end, False)
            clauses = _clauses(text, start, end) if sentence else []
            pieces = [segment(a, b, True) for a, b in clauses] if len(clauses) > 1 else []
            segments += [s for s in (sentence, *pieces) if s is not None]
        return segments

    def _evidence(
        self, text: str, checklist: _Checklist, point: int, score: float, segment: _Segment | None
    ) -> Evidence:
        if segment is None:
            return Evidence(0.0, False, None)
        quote_start, quote_end = _trimmed(text, *_window(text, segment, checklist, point))
        if quote_end - quote_start > QUOTE_LIMIT:  # one enormous "word"
            quote_end = quote_start + QUOTE_LIMIT
        quote = text[quote_start:quote_end]
        cut_before = bool(WORD.search(text, segment.start, quote_start))
        cut_after = bool(WORD.search(text, quote_end, segment.end))
        return Evidence(round(score, 6), score >= self.threshold, quote, cut_before, cut_after)


def _best_segments(
    checklist: _Checklist, segments: list[_Segment]
) -> list[tuple[float, _Segment | None]]:
    """Each point's highest score over the segments that count for it, and that segment."""
    best: list[tuple[float, _Segment | None]] = [(0.0, None)] * checklist.size
    for segment in segments:
        scores = checklist.scores(segment.vector)
        floor = max(scores) - CLAUSE_MARGIN if segment.clause else -math.inf
        for i, score in enumerate(scores):
            if score >= floor and score > best[i][0]:
                best[i] = (score, segment)
    return best


def _idf(documents: list[Counter[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency of each stem over the key points."""
    frequency = Counter(stem for document in documents for stem in document)
    total = len(documents)
    return {stem: math.log((1 + total) / (1 + df)) + 1 for stem, df in sorted(frequency.items())}


def _window(text: str, segment: _Segment, checklist: _Checklist, point: int) -> tuple[int, int]:
    """The segment, or its run of at most QUOTE_LIMIT characters that holds most of the point."""
    start, end = _trimmed(text, segment.start, segment.end)
    if end - start <= QUOTE_LIMIT:
        return start, end
    words = segment.words
    weights = [checklist.weight(point, stem) for _, _, stem in words]
    firsts = [i for i, weight in enumerate(weights) if weight > 0] or [0]
    best, best_first, last = -1.0, firsts[0], 0
    for first in firsts:
        last = max(last, first)
        while last + 1 < len(words) and words[last + 1][1] - words[first][0] <= QUOTE_LIMIT:
            last += 1
        total = sum(weights[first : last + 1])
        if total > best:
            best, best_first = total, first
    start = end = words[best_first][0]
    for match in WORD.finditer(text, start, segment.end):
        if match.end() - start > QUOTE_LIMIT:
            break
        end = match.end()
    return start, max(end, words[best_first][1])


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding spaces and markdown marks."""
    while start < end and (text[start] in QUOTE_STRIP or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in QUOTE_STRIP or text[end - 1].isspace()):
        end -= 1
    return start, end
