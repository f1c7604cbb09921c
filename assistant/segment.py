"""pyvi word segmentation ("Sở Y tế" → "Sở Y_tế"): BM25 and some bi-encoders work on words, not syllables."""

from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=1)
def _tokenizer():  # type: ignore[no-untyped-def]
    from pyvi import ViTokenizer

    _drop_model_tempfile(ViTokenizer.ViTokenizer.model)
    return ViTokenizer


def _drop_model_tempfile(model) -> None:  # type: ignore[no-untyped-def]
    """pyvi unpickles its CRF model at import, and sklearn-crfsuite writes the model into a
    `/tmp/model*.crfsuite` file that is only deleted when the object is garbage-collected, which a
    stopped server never does: one 620 kB file per process. crfsuite reads the whole model into
    memory when the tagger opens it, so the file can go as soon as the tagger is open."""
    resource = getattr(model, "modelfile", None)
    if resource is None or not getattr(resource, "auto", False) or not resource.name:
        return
    model.tagger_  # noqa: B018 - opens the tagger: crfsuite loads the model file into memory
    try:
        os.close(resource.fd)
        os.unlink(resource.name)
    except OSError:
        pass
    resource.name = None  # nothing left for FileResource to clean up


def segment(text: str) -> str:
    if not text.strip():
        return text
    return _tokenizer().tokenize(text)
