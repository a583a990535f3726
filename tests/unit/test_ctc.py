"""CTC likelihoods of a phone sequence and of its one-phone variants, against the definition."""

import itertools
import math

import numpy as np
import pytest

from adapters.speech import ctc


def brute_force(log_posteriors: np.ndarray, labels: list[int]) -> float:
    """CTC by definition: the sum over every frame path that collapses (repeats merged, then
    blanks, index 0, removed) to the labels."""
    total = -math.inf
    frames, symbols = log_posteriors.shape
    for path in itertools.product(range(symbols), repeat=frames):
        merged = [s for i, s in enumerate(path) if i == 0 or s != path[i - 1]]
        if [s for s in merged if s != 0] == labels:
            total = np.logaddexp(total, sum(log_posteriors[t, s] for t, s in enumerate(path)))
    return float(total)


def posteriors(frames: int, symbols: int, seed: int) -> np.ndarray:
    logits = np.random.default_rng(seed).normal(size=(frames, symbols))
    return logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)


# Repeated labels need a blank between them; (1, 1) in two frames cannot be said at all.
CASES = [([1, 2, 3], 6), ([1, 1, 2], 6), ([3, 2, 2], 5), ([2], 4), ([1, 1], 2)]


@pytest.mark.parametrize("labels, frames", CASES)
def test_each_sequence_and_its_one_phone_variants_sum_every_alignment(labels, frames) -> None:
    log_posteriors = posteriors(frames, 4, seed=len(labels) * frames)
    alpha, beta = ctc.forward_backward(log_posteriors, np.array(labels))
    np.testing.assert_allclose(ctc.likelihood(alpha), brute_force(log_posteriors, labels))
    labels_array = np.array(labels)
    phones = [1, 2, 3]
    places = np.repeat(np.arange(len(labels)), len(phones))
    substituted = ctc.one_phone_changed(
        log_posteriors, labels_array, alpha, beta, places, np.tile(phones, len(labels))
    )
    variants = itertools.product(range(len(labels)), phones)
    for (k, phone), found in zip(variants, substituted, strict=True):
        expected = brute_force(log_posteriors, [*labels[:k], phone, *labels[k + 1 :]])
        np.testing.assert_allclose(found, expected, rtol=1e-9)
    places = np.repeat(np.arange(len(labels) + 1), len(phones))
    inserted = ctc.one_phone_changed(
        log_posteriors,
        labels_array,
        alpha,
        beta,
        places,
        np.tile(phones, len(labels) + 1),
        inserted=True,
    )
    variants = itertools.product(range(len(labels) + 1), phones)
    for (j, phone), found in zip(variants, inserted, strict=True):
        expected = brute_force(log_posteriors, [*labels[:j], phone, *labels[j:]])
        np.testing.assert_allclose(found, expected, rtol=1e-9)


def test_too_few_frames_for_the_labels_is_impossible() -> None:
    log_posteriors = np.log(np.full((2, 3), 1 / 3))
    alpha, _ = ctc.forward_backward(log_posteriors, np.array([1, 1]))
    assert ctc.likelihood(alpha) == -math.inf


@pytest.mark.parametrize("labels, frames", [([1, 2, 3, 1], 6), ([1, 2, 1], 5), ([2, 2, 3], 6)])
def test_each_stretch_left_out_sums_every_alignment_of_the_rest(labels, frames) -> None:
    log_posteriors = posteriors(frames, 4, seed=len(labels) + frames)
    alpha, beta = ctc.forward_backward(log_posteriors, np.array(labels))
    spans = [
        (first, end)
        for first in range(len(labels))
        for end in range(first + 1, len(labels) + 1)
        if end - first < len(labels)
    ]
    firsts, ends = (np.array(column) for column in zip(*spans, strict=True))
    found = ctc.span_left_out(np.array(labels), alpha, beta, firsts, ends)
    for (first, end), value in zip(spans, found, strict=True):
        expected = brute_force(log_posteriors, [*labels[:first], *labels[end:]])
        np.testing.assert_allclose(value, expected, rtol=1e-9)
