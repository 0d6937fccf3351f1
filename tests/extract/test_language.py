"""Language identification on short sentences in the region's languages."""

from __future__ import annotations

import pytest

from eurasiawatch.extract import detect_language

SAMPLES = {
    "kk": "Қазақстан Республикасының Президенті бүгін Астанада Қытай делегациясын қабылдады.",
    "ky": "Кыргызстандын президенти бүгүн Бишкекте кытайлык инвесторлор менен жолугушту.",
    "uz": "Oʻzbekiston prezidenti bugun Toshkentda Xitoy delegatsiyasi bilan uchrashdi.",
    "tg": "Президенти Тоҷикистон имрӯз дар Душанбе бо ҳайати Чин мулоқот кард.",
    "sr": "Председник Србије је данас у Београду разговарао са кинеским амбасадором.",
    "uk": "Президент України сьогодні зустрівся з китайською делегацією у Києві.",
    "ru": "Президент России сегодня встретился с китайской делегацией в Москве.",
    "hu": "A magyar kormány ma új megállapodást írt alá a kínai vasúti beruházásról.",
    "ka": "საქართველოს მთავრობამ დღეს ჩინეთთან ახალი ხელშეკრულება გააფორმა.",
    "hy": "Հայաստանի կառավարությունը այսօր Չինաստանի հետ նոր համաձայնագիր ստորագրեց։",
    "az": "Azərbaycan hökuməti bu gün Çin ilə yeni saziş imzaladı.",
    "en": "The government signed a new agreement with China on the railway project today.",
    "tk": "Türkmenistanyň Prezidenti şu gün Hytaý Halk Respublikasynyň wekiliýetini kabul etdi.",
    "bg": "Българското правителство подписа днес ново споразумение с Китай за пристанището.",
    "ro": "Guvernul României a semnat astăzi un nou acord cu China privind infrastructura.",
    "zh": "中国政府今天与哈萨克斯坦签署了新的铁路合作协议。",
}


@pytest.mark.parametrize(("code", "sentence"), sorted(SAMPLES.items()))
def test_detects_language(code: str, sentence: str) -> None:
    found, confidence = detect_language(sentence)
    assert found == code
    assert 0.5 <= confidence <= 1.0


def test_serbian_latin_is_serbo_croatian() -> None:
    found, confidence = detect_language(
        "Predsednik Srbije je danas u Beogradu razgovarao sa kineskim ambasadorom."
    )
    assert found == "sr"
    assert confidence > 0.9


def test_croatian_ijekavian_is_not_serbian() -> None:
    found, _ = detect_language(
        "Hrvatska vlada danas je potpisala novi sporazum s Kinom o izgradnji mosta u vrijeme krize."
    )
    assert found in {"hr", "bs"}


@pytest.mark.parametrize("text", ["", "   ", "12345 67", "ok", "!!!"])
def test_too_little_text_is_unknown(text: str) -> None:
    assert detect_language(text) == (None, 0.0)
