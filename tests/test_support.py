"""The support score's behaviour (bench/support measures its quality): its signals, its two fits, its weights."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from wikigen.check import support

BENCH = Path(__file__).parents[1] / "bench" / "support"
ABSTRACT = (  # Check-COVID's corpus (MIT): the abstract of a claim of bench/support/check-covid.json.gz
    "The virus causing COVID-19 has spread rapidly worldwide and threatens millions of lives. It remains unknown "
    "if summer weather will reduce its continued spread, thereby alleviating strains on hospitals and providing "
    "time for vaccine development. Early insights from laboratory studies of related coronaviruses predicted that "
    "COVID-19 would decline at higher temperatures, humidity, and ultraviolet light. Using current, fine-scaled "
    "weather data and global reports of infection we developed a model that explained 36% of variation in early "
    "growth rates before intervention, with 17% based on weather or demography and 19% based on country-specific "
    "effects. We found that ultraviolet light was most strongly associated with lower COVID-19 growth rates. "
    "Projections suggest that, in the absence of intervention, COVID-19 will decrease temporarily during summer, "
    "rebound by autumn, and peak next winter."
)
CLAIM = "Ultraviolet light is associated with lower COVID-19 growth rates."


def named(sentence: str, evidence: str) -> dict[str, float]:
    return dict(zip(support.SIGNALS, support.signals(sentence, evidence)[0], strict=True))


def test_every_signal_lies_between_0_and_1() -> None:
    for sentence, evidence in ((CLAIM, ABSTRACT), (CLAIM, "Unrelated words entirely."), ("The and of.", ABSTRACT),
                               ("Dose 5 mg in 2020.", "5 mg"), (CLAIM, "")):
        values = named(sentence, evidence)
        assert all(0.0 <= v <= 1.0 for v in values.values()), values


def test_short_and_long_evidence_are_scored_by_their_own_fit() -> None:
    """An excerpt of a sentence or two is judged by the short fit and its threshold; an abstract by the long."""
    excerpt = "We found that ultraviolet light was most strongly associated with lower COVID-19 growth rates."
    assert support.evidence_length(excerpt) < support.LONG_FROM <= support.evidence_length(ABSTRACT)
    assert support.fit_for(excerpt) is support.SHORT and support.fit_for(ABSTRACT) is support.LONG
    for evidence, fit in ((excerpt, support.SHORT), (ABSTRACT, support.LONG)):
        scored = support.score(CLAIM, evidence)
        assert scored.threshold == fit.threshold
        assert scored.score == round(fit(support.signals(CLAIM, evidence)[0]), 4)
        assert scored.supported
    assert not support.score(CLAIM, "Hand washing with soap removes most bacteria from the skin.").supported


def test_soft_alignment_meets_a_word_in_another_form() -> None:
    """`infectious` is not `infection` to exact matching (the suffix strip leaves `infectiou`), but its vector is
    near: the soft signal credits it, the exact coverage does not."""
    sentence = "Infectious patients recovered."
    evidence = "Patients with an infection recovered."
    values = named(sentence, evidence)
    assert values["cover"] < values["soft"] < 1.0
    assert named(sentence, "Infectious patients recovered.")["soft"] == pytest.approx(1.0)
    assert named(sentence, "Rainfall rose in the spring.")["soft"] < values["soft"]


def test_softalign_looks_at_the_best_two_sentences_only() -> None:
    """The sentence's words spread over three evidence sentences are all found in the whole evidence (soft), but
    not in any two of them (softalign)."""
    evidence = "Ultraviolet exposure was measured. Growth slowed in June. Lower rates followed in the north."
    values = named("Ultraviolet light lowers growth rates.", evidence)
    assert values["softalign"] < values["soft"]


def test_a_missing_rare_word_costs_more_than_a_missing_common_one() -> None:
    """`specific` falls with the English rarity of the sentence's words that the evidence lacks."""
    evidence = "Patients in the trial recovered sooner."
    rare = named("Hydroxychloroquine patients recovered sooner.", evidence)["specific"]
    common = named("Many patients recovered sooner.", evidence)["specific"]
    assert rare < common <= 1.0
    assert named("Patients recovered sooner.", evidence)["specific"] == 1.0
    assert support.english_rarity("the") < support.english_rarity("patients") < support.english_rarity(
        "hydroxychloroquine") < support.english_rarity("rs11385942")


def test_the_words_a_sentence_needs_raise_its_score() -> None:
    """Adding to an abstract the sentence that states the claim raises the claim's score."""
    without = ABSTRACT.replace("We found that ultraviolet light was most strongly associated with lower COVID-19 "
                               "growth rates. ", "")
    assert support.score(CLAIM, without).score < support.score(CLAIM, ABSTRACT).score


def test_the_fitted_weights_match_the_signals_and_name_the_scorer() -> None:
    """support.json is read as fitted for SIGNALS, and its digest is part of VERSION (the cache key)."""
    fitted = json.loads(support.FITTED.read_text(encoding="utf-8"))
    assert fitted["signals"] == list(support.SIGNALS)
    for name in ("short", "long"):
        assert len(fitted[name]["weights"]) == len(support.SIGNALS)
        assert 0.0 < fitted[name]["threshold"] < 1.0
    import hashlib

    assert hashlib.sha256(support.FITTED.read_bytes()).hexdigest()[:16] in support.VERSION


def test_support_json_is_what_fit_py_fits_on_the_labelled_set() -> None:
    """The shipped weights are reproduced by bench/support/fit.py from the committed labelled set: nobody edited
    them by hand, and a change of a signal without a new fit is caught."""
    spec = importlib.util.spec_from_file_location("support_fit", BENCH / "fit.py")
    assert spec is not None and spec.loader is not None
    fit = importlib.util.module_from_spec(spec)
    sys.modules["support_fit"] = fit
    try:
        spec.loader.exec_module(fit)
        fitted = fit.fit_shipped(fit.load())
    finally:
        del sys.modules["support_fit"]
    shipped = json.loads(support.FITTED.read_text(encoding="utf-8"))
    assert (fitted["signals"], fitted["long_from"]) == (shipped["signals"], shipped["long_from"])
    for name in ("short", "long"):
        assert fitted[name]["weights"] == pytest.approx(shipped[name]["weights"], abs=2e-3)
        assert fitted[name]["bias"] == pytest.approx(shipped[name]["bias"], abs=2e-3)
        assert fitted[name]["threshold"] == pytest.approx(shipped[name]["threshold"], abs=2e-3)
