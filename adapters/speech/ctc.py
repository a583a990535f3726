"""CTC likelihoods of a phone sequence, of each sequence that differs from it in one phone
(substituted, or one more inserted), and of each with a stretch of it left out, from a
recognizer's per-frame log-posteriors. The forward-backward algorithm runs once; each variant
then needs only the frames it may spend in its one different phone, between the forward
variables before it and the backward ones after it: one pass over the frames for all
variants, not a whole new sequence each (a stretch left out joins the two directly).

Labels are indices into the posteriors' columns; column 0 is the blank. A sequence of L
labels has 2L + 1 states: blank, label, blank, ..., label, blank.
"""

import math

import numpy as np

NEG = -math.inf


def forward_backward(log_posteriors: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, ...]:
    """(alpha, beta), each (frames, states): the log-likelihood of the frames up to and
    including t ending in a state, and of the frames from t on starting in it."""
    frames = len(log_posteriors)
    states = np.zeros(2 * len(labels) + 1, dtype=int)
    states[1::2] = labels
    # A label may follow the one before the blank between them unless the two are the same.
    skip = np.zeros(len(states), dtype=bool)
    skip[3::2] = labels[1:] != labels[:-1]
    skip_back = np.concatenate((skip[2:], [False, False]))
    emit = log_posteriors[:, states]
    alpha = np.full(emit.shape, NEG)
    beta = np.full(emit.shape, NEG)
    alpha[0, :2] = emit[0, :2]
    beta[-1, -2:] = emit[-1, -2:]
    for t in range(1, frames):
        a = alpha[t - 1]
        one = np.concatenate(([NEG], a[:-1]))
        two = np.where(skip, np.concatenate(([NEG, NEG], a[:-2])), NEG)
        alpha[t] = np.logaddexp(np.logaddexp(a, one), two) + emit[t]
        b = beta[frames - t]
        one = np.concatenate((b[1:], [NEG]))
        two = np.where(skip_back, np.concatenate((b[2:], [NEG, NEG])), NEG)
        beta[frames - t - 1] = np.logaddexp(np.logaddexp(b, one), two) + emit[frames - t - 1]
    return alpha, beta


def likelihood(alpha: np.ndarray) -> float:
    """The log-likelihood of all frames: the path ends in the last label or the blank after."""
    return float(np.logaddexp(alpha[-1, -1], alpha[-1, -2]))


def one_phone_changed(
    log_posteriors: np.ndarray,
    labels: np.ndarray,
    alpha: np.ndarray,
    beta: np.ndarray,
    places: np.ndarray,
    phones: np.ndarray,
    *,
    inserted: bool = False,
) -> np.ndarray:
    """(variants,): the log-likelihood with labels[places[i]] replaced by phones[i], or with
    phones[i] put before it when `inserted` (places[i] = len(labels): after the last)."""
    before = 2 * places
    after = before if inserted else before + 2
    return _one_changed(log_posteriors, labels, alpha, beta, before, after, phones)


def span_left_out(
    labels: np.ndarray, alpha: np.ndarray, beta: np.ndarray, firsts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """(spans,): the log-likelihood with labels[firsts[i]:ends[i]] left out (a span neither
    empty nor all of them). Each path of the shorter sequence is split after its last frame
    in the states before the span (up to the blank before it, which merges with the one
    after): from there it goes on into the first label after the span."""
    frames, last = alpha.shape[0], alpha.shape[1] - 1
    states = np.zeros(last + 1, dtype=int)
    states[1::2] = labels
    blank, label_before = 2 * firsts, np.maximum(2 * firsts - 1, 0)
    label_after = np.minimum(2 * ends + 1, last)
    at_end = ends == len(labels)
    # The label before the span may run straight into the one after unless they are the same.
    from_label = (firsts > 0) & (at_end | (states[label_before] != states[label_after]))
    in_prefix = np.logaddexp(alpha[:, blank], np.where(from_label, alpha[:, label_before], NEG))
    onward = np.where(at_end, NEG, in_prefix[:-1] + beta[1:, label_after])
    total = np.logaddexp.reduce(onward, axis=0) if frames > 1 else np.full(len(firsts), NEG)
    total = np.logaddexp(total, np.where(at_end, in_prefix[-1], NEG))  # ends before the span
    # Or no frame before the span at all: the path starts in the label after it.
    return np.logaddexp(total, np.where((firsts == 0) & ~at_end, beta[0, label_after], NEG))


def _one_changed(
    log_posteriors: np.ndarray,
    labels: np.ndarray,
    alpha: np.ndarray,
    beta: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
    phones: np.ndarray,
) -> np.ndarray:
    """Per variant, a new label `phones[i]` between the blank state `before[i]` (kept from
    alpha) and the blank state `after[i]` (kept from beta)."""
    frames = len(log_posteriors)
    last = alpha.shape[1] - 1
    states = np.zeros(last + 1, dtype=int)
    states[1::2] = labels
    # The label before the new one (if any) may run straight into it unless they are the
    # same phone; likewise the new one into the label after.
    label_before, label_after = np.maximum(before - 1, 0), np.minimum(after + 1, last)
    from_label = (before > 0) & (states[label_before] != phones)
    into_label = (after < last) & (states[label_after] != phones)
    start = np.where(before == 0, 0.0, NEG)
    end = np.where(after == last, 0.0, NEG)
    in_phone = np.full(len(phones), NEG)
    total = np.full(len(phones), NEG)
    for t in range(frames):
        if t == 0:
            entry = start
        else:
            from_blank = alpha[t - 1, before]
            entry = np.logaddexp(from_blank, np.where(from_label, alpha[t - 1, label_before], NEG))
        in_phone = np.logaddexp(in_phone, entry) + log_posteriors[t, phones]
        if t == frames - 1:
            leave = end
        else:
            into_blank = beta[t + 1, after]
            leave = np.logaddexp(into_blank, np.where(into_label, beta[t + 1, label_after], NEG))
        total = np.logaddexp(total, in_phone + leave)
    return total
