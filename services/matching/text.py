"""Words to stems for Danish, Norwegian (bokmål and nynorsk) and English.

Snowball stemmers reduce inflections ("cykelstier" → "cykelsti"); short stop
word lists keep function words out; character n-grams of the stems bridge the
compounds the Scandinavian languages build freely ("cykelsti" and
"skolecykelvej" share "cykel").  Pure: no I/O.
"""
import re
import unicodedata
from functools import lru_cache

import snowballstemmer

LANGUAGES = ("da", "nb", "nn", "en")
_STEMMER_NAME = {"da": "danish", "nb": "norwegian", "nn": "norwegian", "en": "english"}

_STOP = {
    "da": """af alle alt anden andre at bare blev blive bliver da de dem den denne der deres det dette dig din
        disse dit du efter eller en end er et for fra få gør ham han hans har have hende hendes her hos hun hvad
        hvis hvor i ikke ind jeg jer kan kun kunne man mange med meget men mere mig min mit mod må ned noget nogle
        nu når og også om op os over på sig sin sine sit skal skulle som så sådan til ud under var vi vil ville
        vor være været flere mest mindre""",
    "nb": """alle at av bare blant både da de dem den denne der deres det dette du eller en ene er et etter
        for fra få gjør han hans har hva hvis hvor i ikke inn jeg kan kun kunne man mange med meg men mer
        min mitt mot må ned noe noen nå når og også om opp oss over på seg sin sine sitt skal skulle som så
        slik til under ut var vi vil ville være vært flere mest mindre""",
    "nn": """alle at av berre både då dei deira dem den denne der det dette du eg eller ein eit er etter for
        frå få gjer han hans har kva viss kvar i ikkje inn kan kunne ho man mange med meg men meir min mitt
        mot må ned noko nokon no når og òg også om opp oss over på seg sin sine sitt skal skulle som så slik
        til under ut var vi vil ville vere vore fleire mest mindre""",
    "en": """a about all also an and are as at be been but by can could do does for from had has have he her
        his how i if in into is it its more most much no not of on or our out over she should so some such than
        that the their them there these they this those to under up us was we were what when where which who
        will with would you your""",
}
STOPWORDS = {lang: frozenset(words.split()) for lang, words in _STOP.items()}
ALL_STOPWORDS = frozenset().union(*STOPWORDS.values())
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=None)
def _stemmer(language):
    return snowballstemmer.stemmer(_STEMMER_NAME.get(language, "danish"))


def fold(text):
    return unicodedata.normalize("NFKC", text or "").casefold()


def words(text, language="da"):
    stop = STOPWORDS.get(language, ALL_STOPWORDS)
    return [w for w in _WORD.findall(fold(text)) if len(w) > 1 and w not in stop]


@lru_cache(maxsize=200_000)
def stem(word, language="da"):
    return _stemmer(language).stemWord(word)


def stems(text, language="da"):
    """Content stems of ``text`` in its language, in order (with repeats)."""
    return [stem(w, language) for w in words(text, language)]


def tag_stems(tag, languages=LANGUAGES):
    """Stems of a short tag (a skill, a need) under every language's stemmer,
    for when the tag's language is unknown: a profile written in English still
    meets a need written in Danish if the words agree."""
    out = set()
    for lang in languages:
        out.update(stem(w, lang) for w in words(tag, lang))
    return frozenset(out)


_PLACE_PART = re.compile(r"[^\W_]+", re.UNICODE)


def normal_place(name):
    """An area name for comparison: folded, single-spaced, digits kept
    ("9000 Aalborg", "Sone 3" are places of their own)."""
    return " ".join(_PLACE_PART.findall(fold(name)))


# -- bridging the Scandinavian languages ----------------------------------------------
# Danish, bokmål and nynorsk write many shared words differently ("cykel" / "sykkel",
# "vej" / "vei" / "veg", "gade" / "gate", "fælles" / "felles").  ``bridge`` maps a word of
# any of them to one spelling, so the same word meets itself across the border; the
# stems in each language's own form are kept beside it (see ``similar.features``).

SCANDINAVIAN = ("da", "nb", "nn")

# Shared roots the spelling rules cannot reach (nynorsk forms, Danish words for the
# same thing); applied inside compounds ("skuleveg" -> "skoleveg").
LEXICON = {
    "skule": "skole", "born": "barn", "børn": "barn", "kjellar": "kjeller", "kælder": "kjeller",
    "heim": "hjem", "hjem": "hjem", "einsam": "ensom", "eigar": "ejer", "eier": "ejer",
    "kvile": "hvile", "sitje": "sidde", "sitte": "sidde", "grønsak": "grøntsak", "grønnsak": "grøntsak",
    "behaldar": "beholder", "bustad": "bolig", "vatn": "vand", "vann": "vand", "søen": "vand",
    "køyr": "kør", "kjør": "kør", "samkør": "samkør", "fløym": "oversvøm", "friviljug": "frivillig",
    "leikeplass": "legeplads", "lekeplass": "legeplads", "gjerd": "hegn", "hegn": "hegn",
    "fartsdump": "fartdæmp", "kældr": "kjeller", "styrtregn": "skybrud", "kraftig regn": "skybrud", "bygd": "by",
}
_LEXICON = re.compile("|".join(sorted(map(re.escape, LEXICON), key=len, reverse=True)))
_SOFT = re.compile(r"(?<=[aeiouyæøå])([tkp])(?=[aeiouyæøå]|$)")
_DOUBLE = re.compile(r"([bcdfghjklmnpqrstvwxz])\1")


def bridge(word, lexicon=True):
    """One spelling for a Danish, bokmål or nynorsk word (already folded)."""
    if lexicon:
        word = _LEXICON.sub(lambda m: LEXICON[m.group(0)], word)
    word = word.replace("aa", "å")
    word = re.sub(r"c(?=[eiy])", "s", word).replace("ch", "k").replace("c", "k")
    word = word.replace("æ", "e").replace("ej", "ei").replace("øy", "ø").replace("kj", "k").replace("hv", "v")
    if len(word) > 3 and word.endswith("eg"):
        word = word[:-2] + "ei"                      # nynorsk "veg" is bokmål "vei"
    word = _DOUBLE.sub(r"\1", word)
    word = _SOFT.sub(lambda m: {"t": "d", "k": "g", "p": "b"}[m.group(1)], word)  # gate / gade
    return word.replace("ds", "s")                  # plads / plass


def bridged_stems(text, language="da", lexicon=True):
    """Stems of ``text`` in the one spelling of :func:`bridge`, all cut by the
    Norwegian stemmer (its suffixes cover the three languages' inflections once
    spelt alike); English words keep their English stems."""
    if language not in SCANDINAVIAN:
        return stems(text, language)
    return [stem(bridge(w, lexicon), "nb") for w in words(text, language)]


def ngrams(token, n=4):
    if len(token) <= n:
        return [token]
    return [token[i:i + n] for i in range(len(token) - n + 1)]
