"""exp65-exp68's simulation: a bidirectional GRU as text mode's second pass, on unseen sites.

Usage: python benchmarks/experiments/seq_sim.py --cache DIR --base RUN.npz --out-prefix P
                                                [--seed S] [--mode text] [--jobs N]
                                                [--stacked | --trees-as-input]

On ``site_gate.py``'s halves (same seed, so the same halves as the ``--base`` run, main's
``--arms base``), each half's unsure lines are predicted by a network fitted on the other half's
second-pass rows (features plus the context of the page-grouped out-of-fold first pass), read
from the site-grouped first pass's context: ``site_gate.py``'s base arm with the trees replaced.
Writes ``P-R1.npz`` (the network) and ``P-R2.npz`` (its mean with ``--base``'s probabilities),
in ``heldout.py``'s format for ``gate_bars.py``. ``--stacked`` (exp66) writes ``P-R3.npz``, the
network correcting ``--base``'s log-probabilities; ``--trees-as-input`` (exp68) writes
``P-R4.npz``, the network reading ``--base``'s probabilities as four more inputs. Needs JAX
(CPU), an experiment tool only.
Numbers and labels only, no corpus text.
"""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from heldout import write_mode
from site_gate import grouped_first_passes, halves_by_site

from boilerml.corpora import corpus_names, datasets_dir
from boilerml.lines import LABELS
from boilerml.model import CONFIDENT_FIRST_PASS
from boilerml.train import (
    SEED,
    UNLABELLED,
    Boosting,
    PageRows,
    default_training_data_dir,
    training_rows,
    with_context,
)

DENSE_UNITS = 64
GRU_UNITS = 64
PIECE_LINES = 256  # a long page is fitted in pieces of this many consecutive lines
BATCH_PIECES = 32
LEARNING_RATE = 0.002
MAX_EPOCHS = 12
VALIDATION_SITE_SHARE = 0.15
CLIP_STANDARDISED = 5.0
CLIP_GRADIENT_NORM = 1.0  # a stabiliser for the recurrent layer, not a tuned value
TREE_PROBABILITY_FLOOR = 1e-6  # exp66: the trees' probabilities are read as logs


def _glorot(key, shape):
    import jax

    limit = np.sqrt(6.0 / (shape[0] + shape[1]))
    return jax.random.uniform(key, shape, minval=-limit, maxval=limit)


def init_params(seed: int, n_inputs: int, zero_output: bool = False) -> dict:
    import jax
    import jax.numpy as jnp

    keys = jax.random.split(jax.random.PRNGKey(seed), 7)
    params = {
        "dense_w": _glorot(keys[0], (n_inputs, DENSE_UNITS)),
        "dense_b": jnp.zeros(DENSE_UNITS),
        "out_w": _glorot(keys[1], (2 * GRU_UNITS + DENSE_UNITS, len(LABELS))) * (not zero_output),
        "out_b": jnp.zeros(len(LABELS)),
    }
    for name, k_in, k_rec in (("fw", keys[2], keys[3]), ("bw", keys[4], keys[5])):
        params[f"{name}_w"] = _glorot(k_in, (DENSE_UNITS, 3 * GRU_UNITS))
        params[f"{name}_u"] = _glorot(k_rec, (GRU_UNITS, 3 * GRU_UNITS))
        params[f"{name}_b"] = jnp.zeros(3 * GRU_UNITS)
        params[f"{name}_ub"] = jnp.zeros(3 * GRU_UNITS)
    return params


def _gru(params: dict, name: str, dense, mask):
    """One direction over time-major ``dense (T, B, D)``; padded steps leave the state as is
    (ONNX's and PyTorch's gate layout, reset applied after the recurrent product)."""
    import jax
    import jax.numpy as jnp

    projected = dense @ params[f"{name}_w"] + params[f"{name}_b"]
    u, ub = params[f"{name}_u"], params[f"{name}_ub"]

    def step(h, inputs):
        x, m = inputs
        xr, xz, xn = jnp.split(x, 3, axis=-1)
        hr, hz, hn = jnp.split(h @ u + ub, 3, axis=-1)
        r = jax.nn.sigmoid(xr + hr)
        z = jax.nn.sigmoid(xz + hz)
        n = jnp.tanh(xn + r * hn)
        new = (1 - z) * n + z * h
        new = jnp.where(m[:, None], new, h)
        return new, new

    h0 = jnp.zeros((dense.shape[1], GRU_UNITS))
    _, out = jax.lax.scan(step, h0, (projected, mask))
    return out


def log_probabilities(params: dict, x, mask, prior):
    """``x (B, T, k)`` standardised rows, ``mask (B, T)``, ``prior (B, T, 4)`` log-probabilities
    the network corrects (exp66; zeros for exp65): log class probabilities ``(B, T, 4)``."""
    import jax
    import jax.numpy as jnp

    dense = jax.nn.relu(x @ params["dense_w"] + params["dense_b"])
    time_major = jnp.swapaxes(dense, 0, 1)
    mask_t = jnp.swapaxes(mask, 0, 1)
    forward = _gru(params, "fw", time_major, mask_t)
    backward = _gru(params, "bw", time_major[::-1], mask_t[::-1])[::-1]
    joined = jnp.concatenate([forward, backward, time_major], axis=-1)
    logits = joined @ params["out_w"] + params["out_b"]
    return jax.nn.log_softmax(jnp.swapaxes(logits, 0, 1) + prior, axis=-1)


def _loss(params, x, mask, target, weight, prior):
    import jax.numpy as jnp

    logp = log_probabilities(params, x, mask, prior)
    picked = jnp.take_along_axis(logp, target[..., None], axis=-1)[..., 0]
    return -(picked * weight).sum() / jnp.maximum(weight.sum(), 1e-9)


def pieces(
    rows: list[PageRows], priors: list[np.ndarray], mean: np.ndarray, scale: np.ndarray
) -> list[tuple[np.ndarray, ...]]:
    """(standardised features, class index, line weight, prior) of each piece of each page;
    unlabelled lines weigh 0."""
    out = []
    for r, prior in zip(rows, priors, strict=True):
        x = standardised(r.features, mean, scale)
        labelled = r.labels != UNLABELLED
        target = np.array(
            [LABELS.index(lab) if ok else 0 for lab, ok in zip(r.labels, labelled, strict=True)]
        )
        weight = np.where(labelled, r.weight / np.sqrt(len(r.labels)), 0.0)
        for start in range(0, len(r.labels), PIECE_LINES):
            end = start + PIECE_LINES
            out.append((x[start:end], target[start:end], weight[start:end], prior[start:end]))
    return out


def standardised(features: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    x = (features - mean) / scale
    return np.clip(np.nan_to_num(x, nan=0.0), -CLIP_STANDARDISED, CLIP_STANDARDISED).astype(np.float32)


def batches(items: list[tuple[np.ndarray, ...]], order: np.ndarray, n_inputs: int):
    for start in range(0, len(order), BATCH_PIECES):
        x = np.zeros((BATCH_PIECES, PIECE_LINES, n_inputs), np.float32)
        mask = np.zeros((BATCH_PIECES, PIECE_LINES), bool)
        target = np.zeros((BATCH_PIECES, PIECE_LINES), np.int32)
        weight = np.zeros((BATCH_PIECES, PIECE_LINES), np.float32)
        prior = np.zeros((BATCH_PIECES, PIECE_LINES, len(LABELS)), np.float32)
        for b, i in enumerate(order[start : start + BATCH_PIECES]):
            px, pt, pw, pp = items[i]
            n = len(pt)
            x[b, :n], mask[b, :n], target[b, :n], weight[b, :n], prior[b, :n] = px, True, pt, pw, pp
        yield x, mask, target, weight, prior


def fit_network(
    rows: list[PageRows], priors: list[np.ndarray], seed: int, stacked: bool
) -> tuple[dict, np.ndarray, np.ndarray]:
    """The network fitted on ``rows`` and their ``priors`` (15 % of their sites set aside to
    choose the epoch): (parameters, feature mean, feature scale)."""
    import jax
    import jax.numpy as jnp

    rng = np.random.default_rng(seed)
    sites = sorted({r.group for r in rows})
    held = set(rng.choice(sites, size=max(1, int(VALIDATION_SITE_SHARE * len(sites))), replace=False))
    fit_index = [i for i, r in enumerate(rows) if r.group not in held]
    val_index = [i for i, r in enumerate(rows) if r.group in held]
    if not fit_index:  # a smoke test's half of one site: choose the epoch on the fitted rows
        fit_index = val_index
    fit_rows = [rows[i] for i in fit_index]
    logging.info("fitting on %d pages, %d sites (%d set aside)", len(rows), len(sites), len(held))
    all_features = np.vstack([r.features for r in fit_rows])
    mean = np.nanmean(all_features, axis=0)
    scale = np.nanstd(all_features, axis=0)
    scale[~(scale > 1e-6)] = 1.0
    mean = np.nan_to_num(mean)
    del all_features
    fit_items, val_items = (
        pieces([rows[i] for i in index], [priors[i] for i in index], mean, scale)
        for index in (fit_index, val_index)
    )
    n_inputs = fit_rows[0].features.shape[1]
    params = init_params(seed, n_inputs, zero_output=stacked)
    moments = (jax.tree.map(jnp.zeros_like, params), jax.tree.map(jnp.zeros_like, params))
    grad_fn = jax.jit(jax.value_and_grad(_loss))
    loss_fn = jax.jit(_loss)

    @jax.jit
    def adam(params, moments, grads, t):
        norm = jnp.sqrt(sum(jnp.sum(g * g) for g in jax.tree.leaves(grads)))
        grads = jax.tree.map(lambda g: g * jnp.minimum(1.0, CLIP_GRADIENT_NORM / (norm + 1e-9)), grads)
        m = jax.tree.map(lambda a, g: 0.9 * a + 0.1 * g, moments[0], grads)
        v = jax.tree.map(lambda a, g: 0.999 * a + 0.001 * g * g, moments[1], grads)
        step = LEARNING_RATE * jnp.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        new = jax.tree.map(lambda p, a, b: p - step * a / (jnp.sqrt(b) + 1e-8), params, m, v)
        return new, (m, v)

    best, best_loss, t = params, np.inf, 0
    for epoch in range(MAX_EPOCHS):
        started = time.time()
        for x, mask, target, weight, prior in batches(fit_items, rng.permutation(len(fit_items)), n_inputs):
            t += 1
            _, grads = grad_fn(params, x, mask, target, weight, prior)
            params, moments = adam(params, moments, grads, t)
        total = weights = 0.0
        for x, mask, target, weight, prior in batches(val_items, np.arange(len(val_items)), n_inputs):
            total += float(loss_fn(params, x, mask, target, weight, prior)) * float(weight.sum())
            weights += float(weight.sum())
        val_loss = total / weights
        logging.info("epoch %d: held-aside loss %.4f (%.0f s)", epoch + 1, val_loss, time.time() - started)
        if val_loss < best_loss:
            best, best_loss = params, val_loss
    return best, mean, scale


def predict_pages(
    params: dict, mean: np.ndarray, scale: np.ndarray, rows: list[PageRows], priors: list[np.ndarray]
) -> list[np.ndarray]:
    """Class probabilities ``(n_lines, 4)`` of each page, read whole (padded to a power of two)."""
    import jax

    predict = jax.jit(log_probabilities)
    out = []
    for r, page_prior in zip(rows, priors, strict=True):
        n = len(r.labels)
        padded = 1 << max(int(np.ceil(np.log2(n))), 4)
        x = np.zeros((1, padded, r.features.shape[1]), np.float32)
        mask = np.zeros((1, padded), bool)
        prior = np.zeros((1, padded, len(LABELS)), np.float32)
        x[0, :n], mask[0, :n], prior[0, :n] = standardised(r.features, mean, scale), True, page_prior
        out.append(np.exp(np.asarray(predict(params, x, mask, prior))[0, :n]).astype(np.float64))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", required=True, help="the --first-pass-cache folder")
    parser.add_argument("--base", required=True, help="main's site_gate.py --arms base run, same seed")
    parser.add_argument("--out-prefix", required=True)
    parser.add_argument("--mode", default="text", choices=("html", "text"))
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--max-pages", type=int, default=None, help="per corpus (smoke tests)")
    variant = parser.add_mutually_exclusive_group()  # each adds the trees' columns its own way
    variant.add_argument(
        "--stacked", action="store_true", help="exp66: correct --base's probabilities (writes P-R3.npz)"
    )
    variant.add_argument(
        "--trees-as-input", action="store_true", help="exp68: read --base's probabilities (writes P-R4.npz)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    root = datasets_dir(args.datasets)
    html_rows, text_rows, _ = training_rows(
        root, corpus_names(root), default_training_data_dir(), args.jobs, args.max_pages
    )
    rows = html_rows if args.mode == "html" else text_rows
    by_page, by_site = grouped_first_passes(rows, args.seed, Path(args.cache), Boosting())
    fitted_on, unseen = with_context(rows, by_page), with_context(rows, by_site)
    base = np.load(args.base)
    if list(base[f"{args.mode}_pages"]) != [r.page_key for r in rows]:
        raise SystemExit("--base holds other pages, or in another order")
    trees = np.split(base[f"{args.mode}_probabilities"], np.cumsum(base[f"{args.mode}_lengths"])[:-1])
    if args.stacked:
        priors = [np.log(np.maximum(p, TREE_PROBABILITY_FLOOR)).astype(np.float32) for p in trees]
        fitted_on, unseen = (
            [replace(r, features=np.hstack([r.features, p])) for r, p in zip(rs, priors, strict=True)]
            for rs in (fitted_on, unseen)
        )
    else:
        priors = [np.zeros((len(r.labels), len(LABELS)), np.float32) for r in rows]
    if args.trees_as_input:  # exp68: the trees' probabilities as four more input columns
        fitted_on, unseen = (
            [replace(r, features=np.hstack([r.features, p])) for r, p in zip(rs, trees, strict=True)]
            for rs in (fitted_on, unseen)
        )
    halves = halves_by_site(rows, args.seed)
    final: list[np.ndarray] = [np.empty(0)] * len(rows)
    for train_index, test_index in (halves, halves[::-1]):
        params, mean, scale = fit_network(
            [fitted_on[i] for i in train_index], [priors[i] for i in train_index], args.seed, args.stacked
        )
        predicted = predict_pages(
            params, mean, scale, [unseen[i] for i in test_index], [priors[i] for i in test_index]
        )
        for i, network in zip(test_index, predicted, strict=True):
            probabilities = by_site[i].copy()
            unsure = probabilities.max(axis=1) < CONFIDENT_FIRST_PASS
            probabilities[unsure] = network[unsure]
            final[i] = probabilities
    r1: dict[str, np.ndarray] = {}
    write_mode(r1, args.mode, rows, final)
    if args.stacked or args.trees_as_input:
        readout = "R3" if args.stacked else "R4"
        np.savez_compressed(f"{args.out_prefix}-{readout}.npz", **r1)
        logging.info("written %s-%s.npz", args.out_prefix, readout)
        return
    np.savez_compressed(f"{args.out_prefix}-R1.npz", **r1)
    r2 = dict(r1)
    r2[f"{args.mode}_probabilities"] = (
        r1[f"{args.mode}_probabilities"] + base[f"{args.mode}_probabilities"]
    ) / 2
    np.savez_compressed(f"{args.out_prefix}-R2.npz", **r2)
    logging.info("written %s-R1.npz and %s-R2.npz", args.out_prefix, args.out_prefix)


if __name__ == "__main__":
    main()
