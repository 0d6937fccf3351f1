"""The lexicon baseline gives the eight themes, in every supported language, from inflected forms."""

from __future__ import annotations

import pickle

import pytest

from eurasiawatch.annotate.themes import THEMES, classify_themes, theme_scores

CASES = [
    (
        "en",
        "Xi and Tokayev held talks at the summit and signed a joint statement on strategic partnership.",
        "diplomacy",
    ),
    (
        "ru",
        "Переговоры прошли в Пекине, министры иностранных дел подписали совместное заявление.",
        "diplomacy",
    ),
    ("uk", "Газопровід і нафтопровід: атомна електростанція та постачання газу й нафти.", "energy"),
    ("kk", "Мұнай мен газ құбыры, атом электр стансасы мен уран өндірісі.", "energy"),
    (
        "uz",
        "Xitoy kompaniyasi zavod qurilishi uchun investitsiya va kredit ajratdi, temir yoʻl qurilishi.",
        "investment",
    ),
    (
        "sr",
        "Kineski kredit za izgradnju pruge i investicije u fabriku; infrastruktura i koridor.",
        "investment",
    ),
    ("sr", "Кинески кредит за изградњу пруге и инвестиције у фабрику; инфраструктура.", "investment"),
    (
        "hu",
        "Tüntetés és tiltakozás a lakók körében; a helyi lakosok petíciót írtak.",
        "society",
    ),
    ("en", "Exports and imports rose; customs data show trade turnover and new tariffs on goods.", "trade"),
    ("ru", "Военные учения армий двух стран: войска, ракеты и беспилотники, министр обороны.", "security"),
    (
        "en",
        "Huawei will build the 5G network and surveillance cameras for the safe city project.",
        "technology",
    ),
    (
        "en",
        "State media ran propaganda and disinformation; censorship of the press freedom report.",
        "information",
    ),
    (
        "ky",
        "Кытай – Кыргызстан – Өзбекстан темир жолунун курулушу башталды; инвестиция жана кредит.",
        "investment",
    ),
    ("tg", "Сохтмони нерӯгоҳи барқи обии Роғун идома дорад; энергетика ва барқ.", "energy"),
    (
        "ka",
        "საგარეო საქმეთა მინისტრი ვიზიტით ჩავიდა პეკინში; მოლაპარაკებები და ერთობლივი განცხადება.",
        "diplomacy",
    ),
    ("az", "Ticarət dövriyyəsi artıb: ixrac və idxal, gömrük rüsumları.", "trade"),
    (
        "hr",
        "Ministar vanjskih poslova u službenom posjetu; bilateralni odnosi i suradnja, veleposlanik.",
        "diplomacy",
    ),
    ("uk", "Саміт миру у Швейцарії: мирний план і мирна конференція щодо війни.", "security"),
]


@pytest.mark.parametrize(("language", "text", "theme"), CASES)
def test_lexicon_finds_theme(language: str, text: str, theme: str) -> None:
    assert theme in classify_themes(text, language)


def test_only_the_eight_themes_in_order() -> None:
    themes = classify_themes(CASES[0][1] + " " + CASES[8][1], "en")
    assert set(themes) <= set(THEMES)
    assert list(themes) == sorted(themes, key=THEMES.index)


def test_a_word_is_not_a_theme() -> None:
    # a single passing mention is not enough
    assert (
        classify_themes("The minister, who once studied oil painting, spoke about his holiday.", "en") == ()
    )


def test_acronyms_only_in_capitals() -> None:
    assert theme_scores("rt ai", "en")["information"] == 0
    upper = theme_scores("State media: RT and Sputnik", "en")["information"]
    assert upper > theme_scores("State media: rt and Sputnik", "en")["information"]


def test_weak_terms_alone_are_no_evidence() -> None:
    # president, meeting, relations: weak diplomacy words, no visit or talks reported
    assert theme_scores("The president's meeting on relations with the press.", "en")["diplomacy"] == 0
    assert theme_scores("The president held talks on relations.", "en")["diplomacy"] > 2


def test_unknown_language_uses_every_lexicon() -> None:
    assert "energy" in classify_themes("Газопровод, нефть и газ; атомная электростанция.", None)


def test_picklable() -> None:
    assert pickle.loads(pickle.dumps(classify_themes)) is classify_themes


@pytest.mark.parametrize(
    ("language", "text", "theme"),
    [
        (
            "en",
            "Georgia beat Portugal in Gelsenkirchen; Portuguese fans left early. Portugal was stunned.",
            "investment",
        ),
        ("en", "An important investigation: the minister said firmly that it was important.", "trade"),
        ("ru", "Аналитики долго спорили; медведь и медицина ни при чём. Долго, очень долго.", "investment"),
        ("sr", "Lukašenko je dugo govorio o centru grada i platformi.", "investment"),
    ],
)
def test_stems_do_not_swallow_other_words(language: str, text: str, theme: str) -> None:
    assert theme_scores(text, language)[theme] == 0


def test_short_items_need_less_evidence_than_long_articles() -> None:
    item = "Talks in Astana\n\nThe ministers also discussed a gas pipeline."
    assert "energy" in classify_themes(item, "en")
    padding = " The delegation then visited a museum and a school." * 60  # ~3,000 characters on other things
    assert "energy" not in classify_themes(item + padding, "en")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The trade war over electric cars deepened; a price war among carmakers followed."),
        ("ru", "Торговая война ЕС и Китая из-за электромобилей; энергетическая безопасность Европы."),
        ("sr", "Trgovinski rat i energetska bezbednost bili su teme sastanka."),
    ],
)
def test_phrases_that_are_not_the_theme(language: str, text: str) -> None:
    assert theme_scores(text, language)["security"] == 0


def test_a_not_phrase_leaves_other_mentions_counted() -> None:
    text = (
        "Trade war aside, the war in Ukraine and the invasion dominated; troops and missiles were discussed."
    )
    assert theme_scores(text, "en")["security"] > 0


def test_a_cited_outlet_is_a_weak_hit_only() -> None:
    from eurasiawatch.records import Mention

    xinhua = Mention(
        article_id="", kind="entity", key="xinhua", name="Xinhua", start=0, end=6, entity_type="media"
    )
    text = "Xinhua said the two leaders met in Astana."
    assert theme_scores(text, "en", [xinhua])["information"] == 0  # a source line is not the theme
    story = "Xinhua expanded its content-sharing deals with local newspapers across Central Asia."
    assert theme_scores(story, "en", [xinhua])["information"] > theme_scores(story, "en")["information"]


@pytest.mark.parametrize(
    ("language", "text", "theme"),
    [
        # hydro* once swallowed hydrologists and hydrology
        ("en", "Hydrologists warned that the river would rise; hydrology students measured it.", "energy"),
        # construction machinery is goods shipped, not something built
        ("en", "Exports of construction machinery and construction equipment doubled.", "investment"),
        ("ru", "Экспорт строительной техники и строительного оборудования вырос вдвое.", "investment"),
        # "plant" in "power plant" is a power station, counted under energy
        ("en", "The power plant near the capital was shut for repairs.", "investment"),
        # students are people: a student protest is not education
        ("sr", "Studenti su blokirali fakultete; studentski protest trajao je danima.", "information"),
        ("hu", "A diákok és a hallgatók az utcán tüntettek.", "information"),
        # an electric car is a product, not energy
        ("uz", "Elektromobillar va elektr avtomobillar savdosi oshdi.", "energy"),
        ("kk", "Электромобильдер сатылымы өсті.", "energy"),
        # a newspaper quoted is a source line
        ("ru", "Как пишет газета, министр уехал в отпуск.", "information"),
        # "the head of state" (singular) is the president, named; no meeting of heads of state
        ("kk", "Мемлекет басшысы су тасқынынан зардап шеккендерге баспана беруді тапсырды.", "diplomacy"),
        ("uz", "Davlat rahbari suv toshqini hududiga bordi.", "diplomacy"),
        # a ministry quoted is a source line
        ("en", "The foreign ministry said it was not aware of the incident at sea.", "diplomacy"),
    ],
)
def test_words_that_look_like_the_theme_but_are_not(language: str, text: str, theme: str) -> None:
    assert theme_scores(text, language)[theme] == 0


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("kk", "Мемлекет басшылары Астанада бас қосты."),  # heads of state (plural) met
        ("en", "Moldova voted to write joining the European Union into its constitution."),
        ("en", "The port deal could hurt the bid to join the EU."),
        ("sr", "Srbija kao kandidat za članstvo mora da uskladi politiku sa Evropskom unijom."),
        ("ru", "Страна получила статус кандидата на вступление в Евросоюз."),
    ],
)
def test_heads_of_state_and_eu_accession_are_diplomacy(language: str, text: str) -> None:
    assert theme_scores(text, language)["diplomacy"] >= 2


@pytest.mark.parametrize(
    ("language", "text", "themes"),
    [
        ("en", "The ministers signed documents on energy and telecoms.", {"energy", "technology"}),
        ("tg", "Санадҳо дар соҳаҳои энергетика ва маориф ба имзо расиданд.", {"energy", "information"}),
        ("kk", "Тараптар энергетика және сауда салаларындағы құжаттарға қол қойды.", {"energy", "trade"}),
        ("uz", "Muzokaralarda savdo va energetika muhokama qilindi.", {"energy", "trade"}),
    ],
)
def test_sectors_on_the_agenda_of_talks_score_more(language: str, text: str, themes: set[str]) -> None:
    # a sentence listing sectors as the subject of talks or documents: each sector gets a point more
    with_agenda = theme_scores(text, language)
    for theme in themes:
        assert with_agenda[theme] == 3.0  # one strong hit (2) + the agenda point


def test_a_single_sector_beside_talks_or_one_outside_them_gets_no_agenda_point() -> None:
    # one sector named beside talks is no list of an agenda; a list without talks is no agenda either
    assert theme_scores("The ministers discussed energy.", "en")["energy"] == 2.0
    assert theme_scores("Energy and trade figures rose.", "en")["energy"] == 2.0
    # and the same words in two sentences are not one agenda
    assert theme_scores("They signed documents. Energy and trade rose.", "en")["energy"] == 2.0


def test_a_short_item_with_sectors_on_the_agenda_gets_them() -> None:
    item = (
        "Leaders meet in Dushanbe\n\nThe two presidents held talks in Dushanbe on Friday and signed a joint "
        "statement. Several documents on cooperation in energy and telecoms were signed during the visit."
    )
    assert {"diplomacy", "energy", "technology"} <= set(classify_themes(item, "en"))


def test_cooperation_in_general_is_no_agenda() -> None:
    # the stock phrase of relations in general names no document or talks
    text = "Relations grew, with cooperation in trade, energy and people-to-people exchanges."
    assert theme_scores(text, "en")["energy"] == 2.0


def test_sectors_far_apart_in_a_long_sentence_are_no_list() -> None:
    text = "The talks on gas went on for hours in the old palace by the river until the war came up."
    scores = theme_scores(text, "en")
    assert scores["energy"] == 2.0 and scores["security"] == 2.0
    listed = "The talks on gas and the war went on for hours."
    assert theme_scores(listed, "en")["energy"] == 3.0
