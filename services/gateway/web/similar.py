"""Which existing proposals look like the one being written, before it exists.

The matching service compares proposals once they are submitted; while someone
is still writing, the page asks the proposals search for candidates sharing any
significant word, then keeps those that share enough of them.  Pure: no I/O.
"""
import re

WORD = re.compile(r"\w{4,}", re.UNICODE)
# Words that say nothing about what a proposal is about, in the four languages.
COMMON = {
    "alle", "andre", "at", "blev", "blir", "bliver", "deres", "dette", "disse", "eller", "etter", "efter", "finnes",
    "findes", "flere", "fordi", "frem", "fram", "hele", "hvad", "hvor", "hvordan", "hvorfor", "inden", "innan",
    "ikke", "ikkje", "kommunen", "kunne", "langs", "meget", "mellom", "mellem", "mere", "mykje", "mye", "når",
    "også", "over", "samme", "skal", "slik", "sådan", "under", "uden", "uten", "utan", "være", "vere", "vores",
    "with", "that", "this", "from", "have", "there", "their", "would", "should", "about", "into", "more",
    "than", "what", "when", "where", "which", "without", "municipality",
}
MAX_TERMS = 12


def stem(word):
    """A crude stem: lower case, the first six letters (skolevej/skolevejen, cykel/cykler)."""
    return word.lower()[:6]


def terms(*texts):
    """The significant words of some texts, in order of appearance, without repeats."""
    seen = []
    for text in texts:
        for word in WORD.findall(text or ""):
            lowered = word.lower()
            if lowered in COMMON or lowered.isdigit():
                continue
            if lowered not in seen:
                seen.append(lowered)
    return seen


def search_query(title, problem):
    """A web-search query matching any of the draft's significant words."""
    return " or ".join(terms(title, problem)[:MAX_TERMS])[:200]


def rank(title, problem, candidates, least=2, top=5):
    """Candidates sharing at least ``least`` word stems with the draft, most shared first."""
    mine = {stem(w) for w in terms(title, problem)}
    scored = []
    for position, candidate in enumerate(candidates):
        theirs = {stem(w) for w in terms(candidate.get("title"), candidate.get("problem"), candidate.get("goal"))}
        shared = len(mine & theirs)
        if shared >= least:
            scored.append((-shared, position, candidate))
    return [candidate for _, _, candidate in sorted(scored, key=lambda item: item[:2])][:top]
