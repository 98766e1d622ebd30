"""detect_language: edge cases, scripts, candidate restriction, determinism and speed."""

import threading
import time

import pytest

from prompts import Detection, detect_language


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "12345", "3.14 + 2 = 5.14", "!!! ???", "😀🎉👍", "—…", "📞 +49 30 1234",
                                  "https://example.com/a?b=c", "me@example.org", "@anna #tbt"])
def test_no_letters_is_undecidable(text):
    assert detect_language(text) == Detection(None, 0.0)


def test_detection_is_frozen():
    result = detect_language("Guten Morgen, wie geht es dir?")
    with pytest.raises(AttributeError):
        result.lang = "en"


@pytest.mark.parametrize(
    "text, lang, script",
    [
        ("Καλημέρα σε όλους", "el", "Greek"),
        ("გამარჯობა მეგობარო", "ka", "Georgian"),
        ("שלום לכולם", "he", "Hebrew"),
        ("สวัสดีครับ", "th", "Thai"),
        ("Բարև ձեզ", "hy", "Armenian"),
        ("ਸਤ ਸ੍ਰੀ ਅਕਾਲ", "pa", "Gurmukhi"),
        ("ನಮಸ್ಕಾರ ಸ್ನೇಹಿತರೇ", "kn", "Kannada"),
        ("안녕", "ko", "Hangul"),
        ("ありがとう", "ja", "Kana"),
        ("谢谢", "zh", "Han"),
    ],
)
def test_script_decides(text, lang, script):
    result = detect_language(text)
    assert (result.lang, result.script) == (lang, script)
    assert result.confidence >= 0.6


@pytest.mark.parametrize(
    "text, lang",
    [
        ("Ўсё добра, дзякуй", "be"), ("Ќе дојдам утре", "mk"), ("Ћерка ми је ђак", "sr"),
        ("Қалайсыз, қайдасыз?", "kk"), ("Мен жакшы элем, рахмат сизге", "ky"), ("Bună ziua, ce faceți?", "ro"),
        ("Nasılsın, iyi misin?", "tr"), ("Necə bir gün keçirdin?", "az"), ("Cześć, jak się masz?", "pl"),
        ("Ahoj, jak se máš? Dobře.", "cs"), ("Köszönöm szépen, jól vagyok", "hu"), ("Labas, kaip sekasi? Ačiū.", "lt"),
        ("Sveiki, kā jums klājas?", "lv"), ("Xin chào, bạn khỏe không?", "vi"), ("سلام، حال شما چطور است؟", "fa"),
        ("آپ کیسے ہیں؟", "ur"), ("كيف حالك يا صديقي؟", "ar"), ("Þetta er gott", "is"),
        ("Tere, kuidas sul läheb? Õhtul näeme.", "et"), ("Hei, mitä kuuluu? Hyvää päivää.", "fi"),
    ],
)
def test_identifying_letters(text, lang):
    assert detect_language(text).lang == lang


def test_icelandic_and_georgian_which_langdetect_lacks():
    assert detect_language("Það er gott veður í dag.").lang == "is"
    assert detect_language("დღეს კარგი ამინდია.").lang == "ka"


def test_short_chinese_is_not_korean():
    for text in ("你好", "我很好。", "今天天气很好"):
        assert detect_language(text).lang == "zh"


def test_ukrainian_vs_russian_and_bulgarian():
    assert detect_language("Я не знаю, що робити далі.").lang == "uk"
    assert detect_language("Я не знаю, что делать дальше.").lang == "ru"
    assert detect_language("Не знам какво да правя сега.").lang == "bg"


def test_estonian_vs_finnish():
    assert detect_language("Ma ei tea, mida õhtul teha.").lang == "et"
    assert detect_language("En tiedä, mitä tehdä illalla.").lang == "fi"


def test_mixed_scripts():
    assert detect_language("我喜欢用iPhone拍照").lang == "zh"
    assert detect_language("I visited 東京 last summer with my friends.").lang == "en"
    assert detect_language("Матрас Promtex для дивана, размер 90x200").lang == "ru"
    assert detect_language("昨日はPythonでプログラムを書きました").lang == "ja"


def test_candidates_restrict_the_answer():
    assert detect_language("Ich habe heute keine Zeit.", ["en", "de"]).lang == "de"
    assert detect_language("Jeg har ikke tid i dag.", ["da", "en"]).lang == "da"
    assert detect_language("Jeg har ikke tid i dag.", ["no", "en"]).lang == "no"
    # Both Malay and Indonesian: each restriction gives its own candidate, the pair no confident answer.
    assert detect_language("Saya tidak tahu.", ["ms"]).lang == "ms"
    assert detect_language("Saya tidak tahu.", ["id"]).lang == "id"
    assert detect_language("Saya tidak tahu.", ["ms", "id"]).confidence < 0.6
    assert detect_language("Saya tidak tahu apa yang berlaku.", ["ms", "en"]).lang == "ms"


def test_candidates_without_a_fit_give_none():
    result = detect_language("Привет, как у тебя дела?", candidates=["en", "de"])
    assert result.lang is None and result.confidence == 0.0 and result.script == "Cyrillic"
    assert detect_language("안녕하세요 반갑습니다", ["en", "zh"]).lang is None


def test_candidates_none_when_text_is_elsewhere():
    """French restricted to English/German: "none of the candidates" wins, no guess."""
    fr = detect_language("Je ne sais pas ce que je vais faire ce soir.", ["en", "de"])
    assert fr == Detection(None, 0.0, "Latin")


def test_kanji_only_text_goes_to_japanese_when_chinese_excluded():
    assert detect_language("東京大学", ["ja", "en"]).lang == "ja"


def test_candidate_codes_are_normalised():
    assert detect_language("我爱你，你爱我吗？", candidates=["zh-cn", "en"]).lang == "zh"
    assert detect_language("我爱你，你爱我吗？", candidates="zh-TW").lang == "zh"


def test_unknown_candidate_is_an_error():
    with pytest.raises(ValueError, match="'xx'"):
        detect_language("Hello there", ["en", "xx"])


def test_confidence_is_lower_for_very_short_input():
    short = detect_language("Danke")
    long = detect_language("Danke schön, ich komme morgen gerne wieder vorbei.")
    assert long.lang == "de"
    assert short.confidence < long.confidence


def test_deterministic():
    text = "Kan du hjælpe mig i morgen?"
    assert len({detect_language(text) for _ in range(5)}) == 1


def test_global_langdetect_state_untouched():
    from langdetect import DetectorFactory

    before = DetectorFactory.seed
    detect_language("Bonjour tout le monde, comment allez-vous ?")
    assert DetectorFactory.seed == before


def test_thread_safe():
    texts = ["Hyvää huomenta kaikille!", "Dzień dobry, jak się masz?", "Добрий день, як справи?",
             "Buenos días a todos.", "Bom dia, tudo bem?", "Goedemorgen allemaal!"] * 5
    expected = [detect_language(t) for t in texts]
    results = [None] * len(texts)

    def work(i):
        results[i] = detect_language(texts[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == expected


def test_speed_after_warm_up():
    texts = ["Could you send me the report by Friday?", "Ich komme später nach Hause.",
             "Мы встретимся завтра утром.", "Nous partons en vacances demain.", "明天我们去公园散步。",
             "Vi ses i morgen på kontoret."]
    for t in texts:
        detect_language(t)
    start = time.perf_counter()
    rounds = 10
    for _ in range(rounds):
        for t in texts:
            detect_language(t)
    per_call_ms = 1000 * (time.perf_counter() - start) / (rounds * len(texts))
    assert per_call_ms < 15, per_call_ms  # typically about 1 ms; generous for loaded CI machines
