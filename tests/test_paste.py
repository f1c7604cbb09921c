"""clean_paste: chat scaffolding goes, every word of the question stays."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assistant.query.paste import asks_question, clean_paste, drop_vocatives

# Words a question may contain: accented, unaccented, chat forms, agencies, dates and numbers.
VOCAB = [
    "Sở", "Y", "tế", "phải", "làm", "gì", "trong", "Tháng", "hành", "động", "phòng", "chống",
    "ma", "túy", "Công", "an", "tỉnh", "Sơn", "La", "Tuyên", "Quang", "báo", "cáo", "hạn",
    "ngày", "nào", "ai", "chủ", "trì", "kế", "hoạch", "nhiệm", "vụ", "bao", "nhiêu", "xã",
    "so", "y", "te", "phai", "lam", "gi", "j", "ko", "ntn", "bn", "ae", "oi", "ơi", "SYT", "SL",
    "CAT", "BĐBP", "UBND", "PCMT", "THĐ", "2023", "2030", "26/6", "04/7/2023", "30", "%", "ạ",
    "Anh", "Chị", "Lan", "Tuấn", "hông", "hok", "vậy", "z", "đc", "dc", "mọi", "người",
]
words_st = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=12)
PREFIXES = [
    "", "[09:41] ", "09:41 ", "[23/11 09:41] ", "[23/11/2023 09:41] ", "Fwd: ", "FW: ",
    "Chuyển tiếp: ", "[09:41] Anh Tuấn: ", "Anh Tuấn: ", "[10:20] Chị Lan - VP: ",
    "[08:15] Trung uy Nam: ", "Fwd: [09:41] Anh Tuấn: ",
]
SUFFIXES = ["", " 🙏", " 👍👍", " [Sticker]", " [Hình ảnh]", " https://zalo.me/g/abc", " :))", " 😅 [Ảnh]"]


def _words(text: str) -> list[str]:
    return text.split()


def _is_subsequence(needle: list[str], hay: list[str]) -> bool:
    it = iter(hay)
    return all(any(h == n for h in it) for n in needle)


# ---- unit tests ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("[09:41] Anh Tuấn: ae oi SYT SL phai lam j trong thang hanh dong 2023 vay 🙏",
         "ae oi SYT SL phai lam j trong thang hanh dong 2023 vay"),
        ("Fwd: so y te phai lam gi", "so y te phai lam gi"),
        ("FW: Chuyển tiếp: so y te phai lam gi", "so y te phai lam gi"),
        ("[23/11 09:41] Chị Lan - VP: Ai chủ trì THĐ 26/6? 👍👍", "Ai chủ trì THĐ 26/6?"),
        ("09:41 Anh Tuấn: hạn báo cáo 04/7/2023 đúng không", "hạn báo cáo 04/7/2023 đúng không"),
        ("[09:41] Hoa SYT: SYT làm gì", "SYT làm gì"),
        ("Ai chủ trì? [Sticker] [Hình ảnh] [File]", "Ai chủ trì?"),
        ("xem https://zalo.me/g/abc và www.sonla.gov.vn/tin nhé", "xem và nhé"),
        ("ma túy 😀🙏🏻 ❤️ là gì", "ma túy là gì"),
        ("Sở   Y\ttế\n\n", "Sở Y tế"),
    ],
)
def test_scaffolding_removed(raw: str, expected: str) -> None:
    assert clean_paste(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "Sơn La: ai chủ trì Tháng hành động?",  # a place, not a sender
        "Câu hỏi: SYT phải làm gì?",  # a label, not a sender
        "Điều 3: ai chịu trách nhiệm thi hành?",
        "Kế hoạch 23/KH-UBND ngày 30/01/2023 giao 12 nhiệm vụ nào?",
    ],
)
def test_question_text_kept(raw: str) -> None:
    assert clean_paste(raw) == raw


def test_keeps_the_asking_message_of_a_chat_log() -> None:
    raw = (
        "[09:40] Anh Tuấn: [Sticker]\n"
        "[09:41] Anh Tuấn: SYT phải làm gì trong THĐ?\n"
        "[09:42] Chị Lan: ok để c xem https://zalo.me/abc"
    )
    assert clean_paste(raw) == "SYT phải làm gì trong THĐ?"


def test_keeps_the_last_asking_message() -> None:
    raw = "[09:40] Anh Tuấn: CAT làm gì?\n[09:41] Chị Lan: còn SYT thì sao\n[09:42] Anh Tuấn: 👍"
    assert clean_paste(raw) == "còn SYT thì sao"


def test_header_lines_start_messages() -> None:
    raw = "Anh Tuấn 09:41\nSYT phải làm gì ạ\nChị Lan 09:45\nđể chị hỏi lại :))"
    assert clean_paste(raw) == "SYT phải làm gì ạ"


def test_zalo_pc_name_and_time_lines_are_headers() -> None:
    raw = "Anh Tuấn\n09:41\nSYT làm gì?\nChị Lan\n09:42\nok để chị xem"
    assert clean_paste(raw) == "SYT làm gì?"


def test_no_asking_message_keeps_all_text() -> None:
    raw = "[09:40] Anh Tuấn: kế hoạch tháng hành động\n[09:41] Anh Tuấn: Sở Y tế Sơn La"
    assert clean_paste(raw) == "kế hoạch tháng hành động Sở Y tế Sơn La"


def test_multiline_question_without_scaffolding_is_one_message() -> None:
    assert clean_paste("Theo KH 23/KH-UBND\nthì SYT phải làm gì?") == "Theo KH 23/KH-UBND thì SYT phải làm gì?"


def test_quoted_reply_lines_dropped_but_not_when_alone() -> None:
    assert clean_paste("> SYT phải làm gì\nem cũng hỏi CAT làm gì") == "em cũng hỏi CAT làm gì"
    assert clean_paste("Trả lời Anh Tuấn: SYT làm gì\nCông an tỉnh thì sao?") == "Công an tỉnh thì sao?"
    assert clean_paste("> SYT phải làm gì") == "SYT phải làm gì"


@pytest.mark.parametrize("raw", ["", "   ", "\n\n", "09:41", "[Sticker]", "🙏🙏", "Fwd:"])
def test_nothing_left(raw: str) -> None:
    assert clean_paste(raw) == ""


def test_asks_question() -> None:
    assert asks_question("SYT làm j")
    assert asks_question("hạn ngày bao nhiêu")
    assert asks_question("có phải nộp báo cáo không")
    assert asks_question("ai chủ trì")
    assert not asks_question("ok để chị xem")
    assert not asks_question("kế hoạch tháng hành động")


def test_non_string_input() -> None:
    assert clean_paste(None) == ""  # type: ignore[arg-type]


# ---- properties ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_and_is_normalised(text: str) -> None:
    out = clean_paste(text)
    assert isinstance(out, str)
    assert unicodedata.is_normalized("NFC", out)
    assert out == out.strip()
    assert "  " not in out and "\n" not in out
    assert clean_paste(out) == out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("[]:/0123456789 \nAaTtÂấ>?-FWdw.🙏") + ["Fwd:", "Anh Tuấn: ", "09:41"])))
@example(pieces=[">", "Anh Tuấn: ", "Anh Tuấn: ", "Anh Tuấn: ", ">"])  # four headers: four passes were not enough
def test_idempotent_on_chat_like_text(pieces: list[str]) -> None:
    once = clean_paste("".join(pieces))
    assert clean_paste(once) == once


@settings(max_examples=300, deadline=None)
@given(words_st, st.sampled_from(PREFIXES), st.sampled_from(SUFFIXES), st.booleans())
def test_every_question_word_survives(ws: list[str], prefix: str, suffix: str, mark: bool) -> None:
    message = " ".join(ws) + ("?" if mark else "")
    out = clean_paste(prefix + message + suffix)
    assert _is_subsequence(_words(message), _words(out)), (message, out)
    assert clean_paste(out) == out


@settings(max_examples=200, deadline=None)
@given(words_st, st.lists(st.sampled_from(["[Sticker]", "👍", "ok", "[Hình ảnh]", "dạ vâng"]), max_size=3))
def test_asking_message_survives_in_a_chat_log(ws: list[str], others: list[str]) -> None:
    question = " ".join(ws) + "?"
    lines = [f"[09:{40 + i}] Chị Lan: {o}" for i, o in enumerate(others)]
    lines.append(f"[09:50] Anh Tuấn: {question} 🙏")
    out = clean_paste("\n".join(lines))
    assert out == question


@pytest.mark.parametrize("typed, expected", [
    ("nghị quyết 2008: người nghiện phải đóng tiền ăn hàng tháng bao nhiêu vậy mọi người", "nghị quyết 2008: người nghiện phải đóng tiền ăn hàng tháng bao nhiêu"),
    ("anh em ơi Sở Y tế phải làm gì?", "Sở Y tế phải làm gì?"),
    ("hạn nộp là ngày nào, mọi người?", "hạn nộp là ngày nào?"),
    ("Sở Y tế làm gì cả nhà ơi?", "Sở Y tế làm gì?"),
])
def test_the_group_a_chat_message_addresses_is_not_part_of_the_question(typed: str, expected: str) -> None:
    assert drop_vocatives(typed) == expected


@pytest.mark.parametrize("typed", ["Quyền của anh chị em", "Trách nhiệm của mọi người", "Vai trò của đồng chí bí thư"])
def test_the_same_words_as_a_noun_of_the_question_stay(typed: str) -> None:
    """Only after the question is over (a question word, a particle, a comma before it)."""
    assert drop_vocatives(typed) == typed
