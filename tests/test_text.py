import unicodedata

import pytest

from core.text import clean_text, fold, nfc, vi_sort_key
from core.validators import looks_like_phone, normalize_phone


def test_fold_ignores_case_and_diacritics():
    assert fold("Nghệ nhân") == "nghe nhan"
    assert fold("ĐỨC") == "duc"
    assert fold(unicodedata.normalize("NFD", "Hưng Yên")) == "hung yen"


def test_nfc_and_clean_text():
    decomposed = unicodedata.normalize("NFD", "Phố Hiến")
    assert nfc(decomposed) == "Phố Hiến" and len(nfc(decomposed)) < len(decomposed)
    assert clean_text("  Xã   Tiên \t Lữ ") == "Xã Tiên Lữ"


def test_vietnamese_alphabetical_order():
    words = ["Đức", "Dũng", "Ân", "An", "Ăn", "Bình", "Ơn", "Ông", "Uyên", "Ưng"]
    assert sorted(words, key=vi_sort_key) == [
        "An",
        "Ăn",
        "Ân",
        "Bình",
        "Dũng",
        "Đức",
        "Ông",
        "Ơn",
        "Uyên",
        "Ưng",
    ]
    assert sorted(["á", "à", "a", "ạ", "ả", "ã"], key=vi_sort_key) == ["a", "à", "ả", "ã", "á", "ạ"]


@pytest.mark.parametrize(
    "raw,normal",
    [
        ("0912 345 678", "0912345678"),
        ("+84 912.345.678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0221-3863-123", "02213863123"),
    ],
)
def test_phone_normalisation(raw, normal):
    assert normalize_phone(raw) == normal
    assert looks_like_phone(raw)


@pytest.mark.parametrize("bad", ["012345", "0123456789", "091234567", "abc", "0912345678901"])
def test_bad_phones(bad):
    assert not looks_like_phone(bad)
