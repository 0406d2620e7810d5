"""The two GANs of the study and their conditional variants, on encoded tabular rows.

Kinds
-----
``dcgan``
    binary cross-entropy; the discriminator has batch normalisation; the generator is
    trained to have its rows called "real".
``wgan-gp``
    Wasserstein loss with a gradient penalty on random interpolates between real and fake
    rows; the critic has no batch normalisation.
``cdcgan``, ``cwgan-gp``
    the same losses, but generator and critic both receive the one-hot class as an extra
    input, so rows are generated per class. The unconditional kinds generate the class as
    one more one-hot block of the row (never as a thresholded ``tanh`` output).

Architecture (defaults): the generator maps a latent vector through dense layers whose
widths double (64, 128), each followed by batch normalisation and ReLU, to a dense output
layer whose numeric columns go through ``tanh`` and whose one-hot blocks go through a softmax
(or a Gumbel-softmax). The critic mirrors it with halving widths (128, 64), LeakyReLU and
(DCGAN kinds) dropout, ending in one unbounded score. Numeric columns are encoded through
their empirical distribution by default (see ``numeric_scaling``).

Training runs one compiled TensorFlow function per epoch: the rows are shuffled inside the
graph and every iteration (one real batch: ``critic_steps`` critic updates, then one
generator update) writes its losses into the per-iteration :attr:`training_log_`.
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ganboost.encoding import TableEncoder
from ganboost.runtime import configure_tensorflow
from ganboost.schema import TableSchema
from ganboost.synthesizers.base import BaseSynthesizer, register

logger = logging.getLogger(__name__)

GAN_KINDS: tuple[str, ...] = ("dcgan", "wgan-gp", "cdcgan", "cwgan-gp")
LATENT_DISTRIBUTIONS: tuple[str, ...] = ("normal", "uniform")
CATEGORICAL_OUTPUTS: tuple[str, ...] = ("softmax", "gumbel")
LOG_COLUMNS: tuple[str, ...] = (
    "generator_loss", "critic_loss", "critic_loss_real", "critic_loss_fake",
    "gradient_penalty", "d_real", "d_fake",
)
WEIGHTS_FILE = "generator.npz"
TRAINING_LOG_FILE = "training_log.parquet"

# 1cycle shape: start at learning_rate / 25, warm up over the first 30% of the steps, then
# anneal along a cosine to zero.
ONE_CYCLE_START_DIVISOR = 25.0
ONE_CYCLE_WARMUP_SHARE = 0.3


class TrainingDivergedError(ValueError):
    """A loss became NaN or infinite during training; no model is kept."""


def is_conditional(kind: str) -> bool:
    """Whether ``kind`` feeds the class to both networks (``cdcgan``, ``cwgan-gp``)."""
    return kind.startswith("c")


def is_wasserstein(kind: str) -> bool:
    return kind.endswith("wgan-gp")


def hidden_widths(hidden_layers: int, base_width_power: int, doubling: bool) -> list[int]:
    """Generator widths: ``2**base_width_power`` doubling per layer (or constant).

    The critic uses the same widths in reverse order.
    """
    base = 2**base_width_power
    return [base * 2**i if doubling else base for i in range(hidden_layers)]


@register(*GAN_KINDS)
class GANSynthesizer(BaseSynthesizer):
    """A dense GAN for tabular rows (see the module docstring for the kinds).

    Parameters
    ----------
    kind:
        ``"dcgan"``, ``"wgan-gp"``, ``"cdcgan"`` or ``"cwgan-gp"`` (default).
    epochs:
        passes over the training rows (default 300), raised where needed to make
        ``min_iterations`` iterations (see there).
    min_iterations:
        the least number of training iterations (real batches, each with its critic and
        generator updates) a fit makes, default 20000; ``epochs`` is raised to
        ``ceil(min_iterations / iterations per epoch)`` when it gives fewer. An epoch of a
        small table is only a few batches: 300 epochs are about 48,000 iterations on Wine
        Quality's 5,197 training rows but 5,700 on Pima's 614, too few for a stable
        generator. 0 trains exactly ``epochs`` epochs (the thesis's setting). The epochs
        actually run are in :attr:`epochs_trained_`.
    batch_size:
        real rows per iteration (default 32; capped at the number of training rows). Every
        epoch reshuffles the rows and leaves out the last incomplete batch.
    latent_dim, latent_distribution:
        size (default 8) and distribution of the generator's input: ``"normal"`` (standard
        normal, default) or ``"uniform"`` on [-1, 1].
    hidden_layers, base_width_power, doubling:
        ``hidden_layers`` dense layers (default 2) of ``2**base_width_power`` units
        (default 6 -> 64), doubling per layer in the generator (64, 128) and halving in the
        critic (128, 64) when ``doubling`` is true (default); constant widths otherwise.
        ``base_width_power=5`` gives the smaller 32/64 network, which reproduces the
        class-feature relations less well.
    dropout:
        dropout rate after every hidden critic layer; ``None`` (default) means 0.3 for the
        DCGAN kinds and 0 for the WGAN-GP kinds, whose critic trains better without it.
    batch_norm:
        batch normalisation in the generator's hidden layers (default True).
    critic_batch_norm:
        batch normalisation in the critic; ``None`` (default) means yes for the DCGAN kinds
        and no for the WGAN-GP kinds, which must not have it (the gradient penalty is
        per row).
    generator_learning_rate, critic_learning_rate:
        Adam step sizes (default 2e-4 each), with ``adam_beta_1`` (0.5) and
        ``adam_beta_2`` (0.9).
    one_cycle:
        replace the constant learning rates (default) by a 1cycle schedule: linear warm-up
        from a 25th of the rate over the first 30% of the steps, then cosine annealing to
        zero.
    gp_weight:
        weight of the gradient penalty (WGAN-GP kinds, default 10).
    critic_steps:
        critic updates per generator update, each on the same real batch with fresh
        noise; ``None`` (default) means 1 for the DCGAN kinds and 3 for the WGAN-GP kinds
        (a critic ahead of the generator gives it useful gradients).
    categorical_output, gumbel_temperature:
        how the generator's one-hot blocks are produced in training: ``"softmax"``
        (default) or ``"gumbel"`` (Gumbel-softmax with ``gumbel_temperature``, 0.2).
    categorical_decoding:
        how one-hot blocks become values when sampling: ``"sample"`` (default: draw from
        the softmax, which keeps category, class and missing-value rates) or ``"argmax"``
        (the most likely level, which favours frequent levels).
    missing:
        ``"impute"`` (default; median / most frequent, no NaN in synthetic rows) or
        ``"regenerate"`` (learn where values are missing and reproduce NaN at that rate).
    numeric_scaling:
        how numeric and integer columns are mapped onto [-1, 1] (see
        :class:`ganboost.encoding.TableEncoder`): ``"quantile"`` (default; skewed columns
        such as fares or insulin levels are spread evenly, which the small generator
        reproduces far better) or ``"minmax"`` (linear between the training bounds).
    max_sampling_rounds:
        unconditional kinds draw rows until every requested class count is met; after this
        many rounds (default 20) a class that is still short raises a ``ValueError``.
    random_state:
        seed for weights, noise and shuffling (default 0).
    threads:
        TensorFlow intra-op threads (default ``None`` = 1, fastest for networks this small
        and needed for bit-identical refits).
    verbose:
        0 (default) logs the summary line only; 1 logs losses every tenth of the epochs;
        2 every epoch.
    """

    def __init__(
        self,
        kind: str = "cwgan-gp",
        epochs: int = 300,
        min_iterations: int = 20000,
        batch_size: int = 32,
        latent_dim: int = 8,
        latent_distribution: str = "normal",
        hidden_layers: int = 2,
        base_width_power: int = 6,
        doubling: bool = True,
        dropout: float | None = None,
        batch_norm: bool = True,
        critic_batch_norm: bool | None = None,
        generator_learning_rate: float = 2e-4,
        critic_learning_rate: float = 2e-4,
        adam_beta_1: float = 0.5,
        adam_beta_2: float = 0.9,
        one_cycle: bool = False,
        gp_weight: float = 10.0,
        critic_steps: int | None = None,
        categorical_output: str = "softmax",
        gumbel_temperature: float = 0.2,
        categorical_decoding: str = "sample",
        missing: str = "impute",
        numeric_scaling: str = "quantile",
        max_sampling_rounds: int = 20,
        random_state: int = 0,
        threads: int | None = None,
        verbose: int = 0,
    ) -> None:
        self.kind = kind
        self.epochs = epochs
        self.min_iterations = min_iterations
        self.batch_size = batch_size
        self.latent_dim = latent_dim
        self.latent_distribution = latent_distribution
        self.hidden_layers = hidden_layers
        self.base_width_power = base_width_power
        self.doubling = doubling
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.critic_batch_norm = critic_batch_norm
        self.generator_learning_rate = generator_learning_rate
        self.critic_learning_rate = critic_learning_rate
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.one_cycle = one_cycle
        self.gp_weight = gp_weight
        self.critic_steps = critic_steps
        self.categorical_output = categorical_output
        self.gumbel_temperature = gumbel_temperature
        self.categorical_decoding = categorical_decoding
        self.missing = missing
        self.numeric_scaling = numeric_scaling
        self.max_sampling_rounds = max_sampling_rounds
        self.random_state = random_state
        self.threads = threads
        self.verbose = verbose

    # -- settings -------------------------------------------------------------------------
    @property
    def conditional(self) -> bool:
        return is_conditional(self.kind)

    @property
    def critic_dropout(self) -> float:
        if self.dropout is None:
            return 0.0 if is_wasserstein(self.kind) else 0.3
        return float(self.dropout)

    @property
    def critic_updates(self) -> int:
        if self.critic_steps is None:
            return 3 if is_wasserstein(self.kind) else 1
        return int(self.critic_steps)

    @property
    def uses_critic_batch_norm(self) -> bool:
        if self.critic_batch_norm is None:
            return not is_wasserstein(self.kind)
        return bool(self.critic_batch_norm)

    def batch_for(self, n_rows: int) -> int:
        """Real rows per iteration on ``n_rows`` training rows: ``batch_size``, capped."""
        return min(self.batch_size, n_rows)

    def epochs_for(self, n_rows: int) -> int:
        """Epochs a fit on ``n_rows`` training rows runs: ``epochs``, or more if that is
        needed for ``min_iterations`` iterations (an epoch is ``n_rows // batch`` of them)."""
        per_epoch = n_rows // self.batch_for(n_rows)
        return max(int(self.epochs), math.ceil(int(self.min_iterations) / per_epoch))

    def validate_params(self) -> None:
        """Raise ``ValueError`` naming the first setting with a value that cannot work."""
        _check_choice("kind", self.kind, GAN_KINDS)
        _check_choice("latent_distribution", self.latent_distribution, LATENT_DISTRIBUTIONS)
        _check_choice("categorical_output", self.categorical_output, CATEGORICAL_OUTPUTS)
        _check_choice("categorical_decoding", self.categorical_decoding, ("argmax", "sample"))
        _check_choice("missing", self.missing, ("impute", "regenerate"))
        _check_choice("numeric_scaling", self.numeric_scaling, ("minmax", "quantile"))
        for name in ("epochs", "batch_size", "latent_dim", "hidden_layers", "critic_steps",
                     "max_sampling_rounds"):
            if not (name == "critic_steps" and self.critic_steps is None):
                _check_positive_int(name, getattr(self, name))
        if (isinstance(self.min_iterations, bool)
                or not isinstance(self.min_iterations, int | np.integer)
                or self.min_iterations < 0):
            raise ValueError(f"min_iterations must be a whole number >= 0 (0: train exactly "
                             f"`epochs` epochs); got {self.min_iterations!r}")
        _check_positive_int("base_width_power", self.base_width_power + 1)
        for name in ("generator_learning_rate", "critic_learning_rate", "gumbel_temperature"):
            value = getattr(self, name)
            if not self._positive(value):
                hint = ""
                if isinstance(value, str) and _reads_as_number(value):
                    hint = (" (text, not a number: YAML reads a mantissa without a decimal "
                            "point, like 1e-3, as text; write 1.0e-3 or 0.001)")
                raise ValueError(f"{name} must be a positive number; got {value!r}{hint}")
        if not 0.0 <= self.critic_dropout < 1.0:
            raise ValueError(f"dropout must lie in [0, 1); got {self.dropout!r}")
        if self.gp_weight < 0:
            raise ValueError(f"gp_weight must not be negative; got {self.gp_weight!r}")
        if is_wasserstein(self.kind) and self.critic_batch_norm:
            raise ValueError(
                f"critic_batch_norm=True is not allowed for kind {self.kind!r}: the gradient "
                "penalty is computed per row, batch normalisation mixes rows; leave it None"
            )

    @staticmethod
    def _positive(value: Any) -> bool:
        return isinstance(value, int | float) and math.isfinite(value) and value > 0

    # -- fitting --------------------------------------------------------------------------
    def _fit(self, table: pd.DataFrame, schema: TableSchema) -> None:
        trainer = self.build_trainer(table, schema)
        started = time.perf_counter()
        log = self._run_epochs(trainer)
        seconds = time.perf_counter() - started

        self.encoder_ = trainer.encoder
        self.generator_ = trainer.generator
        self.training_log_ = log
        self.fit_seconds_ = seconds
        self.epochs_trained_ = trainer.epochs
        self._log_summary(log, seconds)

    def build_trainer(self, table: pd.DataFrame, schema: TableSchema) -> GANTrainer:
        """Check the settings, encode ``table`` and build fresh networks for it.

        ``table`` holds the schema's storage types with class indices as target (as
        prepared by :func:`ganboost.synthesizers.base.prepare_training_table`).
        """
        self.validate_params()
        configure_tensorflow(1 if self.threads is None else self.threads)
        label_mode = "conditional" if self.conditional else "joint"
        encoder = TableEncoder(schema, missing=self.missing, label=label_mode,
                               numeric_scaling=self.numeric_scaling).fit(table)
        rows = encoder.transform(table)
        conditions = self._conditions(encoder, table[schema.target].to_numpy())
        seed_everything(self.random_state)
        return GANTrainer(self, encoder, rows, conditions)

    def _conditions(self, encoder: TableEncoder, labels: np.ndarray) -> np.ndarray:
        if self.conditional:
            return encoder.encode_labels(labels)
        return np.zeros((len(labels), 0), dtype=np.float32)

    def _run_epochs(self, trainer: GANTrainer) -> pd.DataFrame:
        epochs = trainer.epochs
        if epochs > self.epochs:
            logger.info(
                "%s: training %d epochs instead of %d, to make min_iterations=%d iterations "
                "at %d per epoch", self.kind, epochs, self.epochs, self.min_iterations,
                trainer.iterations_per_epoch,
            )
        every = 1 if self.verbose >= 2 else max(1, epochs // 10)
        frames = []
        for epoch in range(1, epochs + 1):
            losses = trainer.run_epoch()
            _check_finite(losses, epoch)
            frame = pd.DataFrame(losses, columns=list(LOG_COLUMNS))
            frame.insert(0, "epoch", epoch)
            frames.append(frame)
            if self.verbose and (epoch % every == 0 or epoch == epochs):
                means = frame[list(LOG_COLUMNS[:2])].mean()
                logger.info(
                    "%s epoch %d/%d: generator loss %.4f, critic loss %.4f", self.kind,
                    epoch, epochs, means["generator_loss"], means["critic_loss"],
                )
        log = pd.concat(frames, ignore_index=True)
        log.insert(1, "iteration", np.arange(len(log)))
        if not is_wasserstein(self.kind):
            log = log.drop(columns="gradient_penalty")
        return log

    def _log_summary(self, log: pd.DataFrame, seconds: float) -> None:
        last_epoch = log[log["epoch"] == log["epoch"].max()]
        logger.info(
            "%s trained: %d epochs, %d iterations, %.1f s; final epoch mean generator loss "
            "%.4f, critic loss %.4f, D(real) %.3f, D(fake) %.3f",
            self.kind, int(log["epoch"].max()), len(log), seconds,
            last_epoch["generator_loss"].mean(), last_epoch["critic_loss"].mean(),
            last_epoch["d_real"].mean(), last_epoch["d_fake"].mean(),
        )

    # -- sampling -------------------------------------------------------------------------
    def _sample(self, class_counts: np.ndarray, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        if self.conditional:
            labels = np.repeat(np.arange(len(class_counts)), class_counts)
            outputs = self._generate(self.encoder_.encode_labels(labels), rng)
            return self.encoder_.inverse_transform(
                outputs, labels=labels, decoding=self.categorical_decoding, random_state=rng
            )
        return self._sample_joint(class_counts, rng)

    def _sample_joint(self, class_counts: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
        """Draw rows in rounds and keep the first ones of each class until every count is met.

        Each round draws enough rows to cover the largest shortfall at the class shares seen
        so far; after ``max_sampling_rounds`` rounds a class that is still short is an error.
        """
        wanted = np.asarray(class_counts, dtype=int)
        have = np.zeros_like(wanted)
        seen = np.zeros_like(wanted)
        kept: list[pd.DataFrame] = []
        for _ in range(self.max_sampling_rounds):
            short = wanted - have
            if not short.any():
                break
            rows = self._decode_joint(_round_size(short, seen, wanted.sum()), rng)
            labels = rows[self.target_].to_numpy()
            seen += np.bincount(labels, minlength=len(wanted))
            for index in np.flatnonzero(short):
                matches = rows[labels == index].head(short[index])
                kept.append(matches)
                have[index] += len(matches)
        if (have < wanted).any():
            raise ValueError(self._shortfall_message(wanted, have))
        table = pd.concat(kept, ignore_index=True)
        return table.sort_values(self.target_, kind="stable").reset_index(drop=True)

    def _decode_joint(self, count: int, rng: np.random.Generator) -> pd.DataFrame:
        outputs = self._generate(np.zeros((count, 0), dtype=np.float32), rng)
        return self.encoder_.inverse_transform(
            outputs, decoding=self.categorical_decoding, random_state=rng
        )

    def _shortfall_message(self, wanted: np.ndarray, have: np.ndarray) -> str:
        index = int(np.argmax(wanted - have))
        return (
            f"{self.kind} produced only {have[index]} of the {wanted[index]} requested rows "
            f"of class {self.schema_.classes[index]!r} after {self.max_sampling_rounds} "
            "sampling rounds; train longer, raise max_sampling_rounds, or use a conditional "
            "kind (cdcgan, cwgan-gp), which generates each class directly"
        )

    def _generate(self, conditions: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Generator outputs (tanh columns and softmax blocks) for one latent draw per row."""
        n = len(conditions)
        if self.latent_distribution == "uniform":
            latent = rng.uniform(-1.0, 1.0, size=(n, self.latent_dim))
        else:
            latent = rng.standard_normal((n, self.latent_dim))
        inputs = np.concatenate([latent.astype(np.float32), conditions], axis=1)
        raw = np.asarray(self.generator_(inputs, training=False), dtype=np.float64)
        return _activate_numpy(raw, self.encoder_)

    # -- persistence ----------------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        return {
            "encoder": self.encoder_.to_dict(),
            "weights": WEIGHTS_FILE,
            "training_log": TRAINING_LOG_FILE,
            "fit_seconds": self.fit_seconds_,
            "epochs_trained": self.epochs_trained_,
        }

    def _save_arrays(self, path: Path) -> None:
        weights = self.generator_.get_weights()
        np.savez(path / WEIGHTS_FILE, **{f"w{i:03d}": w for i, w in enumerate(weights)})
        self.training_log_.to_parquet(path / TRAINING_LOG_FILE, index=False)

    def _restore_state(self, state: dict[str, Any], path: Path) -> None:
        configure_tensorflow(1 if self.threads is None else self.threads)
        self.encoder_ = TableEncoder.from_dict(state["encoder"], self.schema_)
        self.generator_ = build_generator(self, self.encoder_)
        with np.load(path / state["weights"]) as stored:
            self.generator_.set_weights([stored[key] for key in sorted(stored.files)])
        log_path = path / state["training_log"]
        self.training_log_ = pd.read_parquet(log_path) if log_path.exists() else pd.DataFrame()
        self.fit_seconds_ = state.get("fit_seconds", float("nan"))
        self.epochs_trained_ = state.get("epochs_trained", self.epochs)


# -- networks and training ------------------------------------------------------------------
def seed_everything(random_state: int) -> None:
    """Seed Python, numpy, TensorFlow and Keras from ``random_state``."""
    import keras

    keras.utils.set_random_seed(int(random_state))


def build_generator(settings: GANSynthesizer, encoder: TableEncoder) -> Any:
    """Keras model: latent vector (+ one-hot class) -> raw outputs (before tanh / softmax).

    Input width ``latent_dim`` (+ ``n_classes`` for conditional kinds); output width
    ``encoder.output_dim``.
    """
    import keras
    from keras import layers

    n_conditions = encoder.n_classes if settings.conditional else 0
    seed = int(settings.random_state)
    inputs = keras.Input((settings.latent_dim + n_conditions,))
    hidden = inputs
    widths = hidden_widths(settings.hidden_layers, settings.base_width_power, settings.doubling)
    for index, width in enumerate(widths):
        hidden = layers.Dense(width, use_bias=not settings.batch_norm,
                              kernel_initializer=_initializer(seed, index))(hidden)
        if settings.batch_norm:
            hidden = layers.BatchNormalization()(hidden)
        hidden = layers.ReLU()(hidden)
    outputs = layers.Dense(encoder.output_dim,
                           kernel_initializer=_initializer(seed, len(widths)))(hidden)
    return keras.Model(inputs, outputs, name="generator")


def build_critic(settings: GANSynthesizer, encoder: TableEncoder) -> Any:
    """Keras model: encoded row (+ one-hot class) -> one unbounded score per row."""
    import keras
    from keras import layers

    n_conditions = encoder.n_classes if settings.conditional else 0
    seed = int(settings.random_state) + 1000
    inputs = keras.Input((encoder.output_dim + n_conditions,))
    hidden = inputs
    widths = hidden_widths(settings.hidden_layers, settings.base_width_power, settings.doubling)
    for index, width in enumerate(reversed(widths)):
        hidden = layers.Dense(width, kernel_initializer=_initializer(seed, index))(hidden)
        if settings.uses_critic_batch_norm:
            hidden = layers.BatchNormalization()(hidden)
        hidden = layers.LeakyReLU(negative_slope=0.2)(hidden)
        if settings.critic_dropout > 0:
            hidden = layers.Dropout(settings.critic_dropout, seed=seed + 100 + index)(hidden)
    outputs = layers.Dense(1, kernel_initializer=_initializer(seed, len(widths)))(hidden)
    return keras.Model(inputs, outputs, name="critic")


def _initializer(seed: int, index: int) -> Any:
    import keras

    return keras.initializers.GlorotUniform(seed=seed * 7919 + index)


def _adam(learning_rate: float, total_steps: int, settings: GANSynthesizer) -> Any:
    """Adam with a constant rate, or a 1cycle-shaped warm-up + cosine schedule."""
    import keras

    rate: Any = learning_rate
    if settings.one_cycle:
        warmup_steps = max(1, int(ONE_CYCLE_WARMUP_SHARE * total_steps))
        rate = keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=learning_rate / ONE_CYCLE_START_DIVISOR,
            decay_steps=max(1, total_steps - warmup_steps),
            alpha=0.0,
            warmup_target=learning_rate,
            warmup_steps=warmup_steps,
        )
    return keras.optimizers.Adam(
        learning_rate=rate, beta_1=settings.adam_beta_1, beta_2=settings.adam_beta_2
    )


class GANTrainer:
    """The networks, optimizers and training step of one fit.

    ``rows`` are the encoded training rows, shape ``(n, output_dim)``; ``conditions`` the
    one-hot classes, shape ``(n, n_classes)``, or ``(n, 0)`` for the unconditional kinds.
    :meth:`run_epoch` runs one compiled epoch; :meth:`train_step` is the same step, callable
    eagerly (for speed comparisons and debugging).
    """

    def __init__(
        self,
        settings: GANSynthesizer,
        encoder: TableEncoder,
        rows: np.ndarray,
        conditions: np.ndarray,
    ) -> None:
        import tensorflow as tf

        self.settings = settings
        self.encoder = encoder
        self.wasserstein = is_wasserstein(settings.kind)
        self.n_numeric = encoder.n_numeric
        self.softmax_widths = [stop - start for start, stop in encoder.softmax_blocks]
        self.rows = tf.constant(rows, dtype=tf.float32)
        self.conditions = tf.constant(conditions, dtype=tf.float32)
        self.batch_size = settings.batch_for(len(rows))
        self.iterations_per_epoch = len(rows) // self.batch_size
        self.epochs = settings.epochs_for(len(rows))

        self.generator = build_generator(settings, encoder)
        self.critic = build_critic(settings, encoder)
        total = self.epochs * self.iterations_per_epoch
        self.generator_optimizer = _adam(settings.generator_learning_rate, total, settings)
        self.critic_optimizer = _adam(
            settings.critic_learning_rate, total * settings.critic_updates, settings
        )
        # Optimizer slots must exist before tracing: variables cannot be created in a loop.
        self.generator_optimizer.build(self.generator.trainable_variables)
        self.critic_optimizer.build(self.critic.trainable_variables)
        self.noise = tf.random.Generator.from_seed(int(settings.random_state))
        self._compiled_epoch = tf.function(self._epoch)

    # -- public -------------------------------------------------------------------------
    def run_epoch(self) -> np.ndarray:
        """One compiled pass over the shuffled rows; losses of shape (iterations, 7)."""
        return self._compiled_epoch().numpy()

    def eager_epoch(self, iterations: int | None = None) -> np.ndarray:
        """The same step, uncompiled, for ``iterations`` batches (default: a full epoch)."""
        import tensorflow as tf

        count = self.iterations_per_epoch if iterations is None else iterations
        order = tf.argsort(self.noise.uniform([len(self.rows)]))
        losses = []
        for index in range(count):
            batch = order[index * self.batch_size:(index + 1) * self.batch_size]
            real = tf.gather(self.rows, batch)
            losses.append(self.train_step(real, tf.gather(self.conditions, batch)).numpy())
        return np.stack(losses)

    def train_step(self, real: Any, conditions: Any) -> Any:
        """``critic_steps`` critic updates, then one generator update, on one real batch.

        Returns the 7 logged values (see ``LOG_COLUMNS``); critic values are averaged over
        the critic updates.
        """
        import tensorflow as tf

        critic_logs = [self._critic_step(real, conditions)
                       for _ in range(self.settings.critic_updates)]
        critic_mean = tf.reduce_mean(tf.stack(critic_logs), axis=0)
        generator_loss = self._generator_step(conditions)
        return tf.concat([[generator_loss], critic_mean], axis=0)

    # -- graph pieces -------------------------------------------------------------------
    def _epoch(self) -> Any:
        import tensorflow as tf

        order = tf.argsort(self.noise.uniform([tf.shape(self.rows)[0]]))
        log = tf.TensorArray(tf.float32, size=self.iterations_per_epoch)
        for index in tf.range(self.iterations_per_epoch):
            batch = tf.slice(order, [index * self.batch_size], [self.batch_size])
            step = self.train_step(tf.gather(self.rows, batch),
                                   tf.gather(self.conditions, batch))
            log = log.write(index, step)
        return log.stack()

    def _latent(self, count: Any) -> Any:
        shape = [count, self.settings.latent_dim]
        if self.settings.latent_distribution == "uniform":
            return self.noise.uniform(shape, minval=-1.0, maxval=1.0)
        return self.noise.normal(shape)

    def _generate(self, conditions: Any) -> Any:
        """Fake rows (activated) for the given one-hot classes, in training mode."""
        import tensorflow as tf

        latent = self._latent(tf.shape(conditions)[0])
        raw = self.generator(tf.concat([latent, conditions], axis=1), training=True)
        return self._activate(raw)

    def _activate(self, raw: Any) -> Any:
        import tensorflow as tf

        parts = [tf.tanh(raw[:, :self.n_numeric])]
        logits = tf.split(raw[:, self.n_numeric:], self.softmax_widths, axis=1) \
            if self.softmax_widths else []
        for block in logits:
            if self.settings.categorical_output == "gumbel":
                uniform = self.noise.uniform(tf.shape(block), minval=1e-20, maxval=1.0)
                block = (block - tf.math.log(-tf.math.log(uniform))) \
                    / self.settings.gumbel_temperature
            parts.append(tf.nn.softmax(block, axis=1))
        return tf.concat(parts, axis=1)

    def _score(self, rows: Any, conditions: Any) -> Any:
        import tensorflow as tf

        return self.critic(tf.concat([rows, conditions], axis=1), training=True)[:, 0]

    def _critic_step(self, real: Any, conditions: Any) -> Any:
        """One critic update; returns [loss, loss_real, loss_fake, penalty, d_real, d_fake]."""
        import tensorflow as tf

        fake = self._generate(conditions)
        with tf.GradientTape() as tape:
            real_score = self._score(real, conditions)
            fake_score = self._score(fake, conditions)
            if self.wasserstein:
                loss_real = -tf.reduce_mean(real_score)
                loss_fake = tf.reduce_mean(fake_score)
                penalty = self._gradient_penalty(real, fake, conditions)
            else:
                loss_real = tf.reduce_mean(tf.nn.softplus(-real_score))
                loss_fake = tf.reduce_mean(tf.nn.softplus(fake_score))
                penalty = tf.constant(0.0)
            loss = loss_real + loss_fake + self.settings.gp_weight * penalty
        variables = self.critic.trainable_variables
        self.critic_optimizer.apply(tape.gradient(loss, variables), variables)
        d_real = tf.reduce_mean(tf.sigmoid(real_score))
        d_fake = tf.reduce_mean(tf.sigmoid(fake_score))
        return tf.stack([loss, loss_real, loss_fake, penalty, d_real, d_fake])

    def _gradient_penalty(self, real: Any, fake: Any, conditions: Any) -> Any:
        """Mean of (||grad_x critic(x_hat)||_2 - 1)^2 over random interpolates x_hat."""
        import tensorflow as tf

        share = self.noise.uniform([tf.shape(real)[0], 1])
        mixed = share * real + (1.0 - share) * fake
        with tf.GradientTape() as tape:
            tape.watch(mixed)
            score = self._score(mixed, conditions)
        gradient = tape.gradient(score, mixed)
        norm = tf.sqrt(tf.reduce_sum(tf.square(gradient), axis=1) + 1e-12)
        return tf.reduce_mean(tf.square(norm - 1.0))

    def _generator_step(self, conditions: Any) -> Any:
        import tensorflow as tf

        with tf.GradientTape() as tape:
            fake_score = self._score(self._generate(conditions), conditions)
            if self.wasserstein:
                loss = -tf.reduce_mean(fake_score)
            else:
                loss = tf.reduce_mean(tf.nn.softplus(-fake_score))
        variables = self.generator.trainable_variables
        self.generator_optimizer.apply(tape.gradient(loss, variables), variables)
        return loss


# -- helpers --------------------------------------------------------------------------------
def _activate_numpy(raw: np.ndarray, encoder: TableEncoder) -> np.ndarray:
    """``tanh`` on the numeric columns, a softmax on every one-hot block."""
    out = np.empty_like(raw)
    n_numeric = encoder.n_numeric
    out[:, :n_numeric] = np.tanh(raw[:, :n_numeric])
    for start, stop in encoder.softmax_blocks:
        logits = raw[:, start:stop]
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        out[:, start:stop] = exp / exp.sum(axis=1, keepdims=True)
    return out


def _round_size(short: np.ndarray, seen: np.ndarray, requested: int) -> int:
    """Rows to draw so that every short class is likely covered at the shares seen so far.

    Shares are smoothed (one pseudo-row per class) so an unseen class still gets a finite
    estimate; the draw is capped at 50 times the request (plus 1000) to bound memory.
    """
    shares = (seen + 1.0) / (seen.sum() + len(seen))
    needed = np.max(np.where(short > 0, short / shares, 0.0))
    return int(min(50 * requested + 1000, max(64, math.ceil(1.2 * needed))))


def _reads_as_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_finite(losses: np.ndarray, epoch: int) -> None:
    finite = np.isfinite(losses)
    if finite.all():
        return
    iteration, column = np.argwhere(~finite)[0]
    raise TrainingDivergedError(
        f"training diverged in epoch {epoch}: {LOG_COLUMNS[column]} became "
        f"{losses[iteration, column]} at iteration {iteration} of that epoch; lower the "
        "learning rates (generator_learning_rate, critic_learning_rate)"
    )


def _check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _check_positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
