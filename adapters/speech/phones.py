"""English phones (ARPAbet, as the CMU dictionary writes them) and the substitutions learners
of English make most, free of any speech library.

The substitutes are the errors of Urdu, Hindi, Arabic, Chinese, Japanese and Spanish speakers
that teaching material lists first: dental fricatives said as stops or sibilants (think ->
sink, tink), v said as b or w, r and l swapped, p and f swapped, final voiced sibilants
devoiced (eyes -> ice), and the tense/lax and low vowel pairs (sheep/ship, hat/hut/hot). A
scorer checks each reference phone against them, so an error is not only found but named."""

VOWELS = frozenset("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())

# Reference phone -> what learners say instead.
SUBSTITUTES: dict[str, tuple[str, ...]] = {
    "TH": ("S", "T", "F"),
    "DH": ("D", "Z"),
    "V": ("B", "W", "F"),
    "W": ("V",),
    "R": ("L",),
    "L": ("R",),
    "P": ("F", "B"),
    "F": ("P",),
    "B": ("V", "P"),
    "Z": ("S",),
    "S": ("Z", "SH"),
    "SH": ("S",),
    "JH": ("Z", "Y"),
    "IY": ("IH",),
    "IH": ("IY",),
    "UW": ("UH",),
    "UH": ("UW",),
    "AE": ("AH", "AA", "EH"),
    "AH": ("AA", "AE"),
    "AA": ("AH", "AE"),
    "EH": ("AE",),
}
