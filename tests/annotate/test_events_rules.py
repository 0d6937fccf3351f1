"""PLOVER events: the third round's general rules (docs/events.md), each on sentences written for it."""

from __future__ import annotations

import re
from datetime import date

from eurasiawatch.annotate.events import extract_events
from eurasiawatch.records import Mention

_PUBLISHED = date(2024, 5, 22)


def _m(
    text: str, name: str, code: str, kind: str = "country", entity_type: str | None = None
) -> list[Mention]:
    """Mentions of ``name`` wherever it is written in ``text`` (countries; entities with their home)."""
    return [
        Mention(
            article_id="a",
            kind=kind,
            key=name if kind == "entity" else code,
            name=name,
            start=x.start(),
            end=x.end(),
            country=code if kind == "entity" else None,
            entity_type=entity_type,
        )
        for x in re.finditer(re.escape(name), text)
    ]


def _sides(events, event_type: str) -> set[str]:  # type: ignore[no-untyped-def]
    found = [e for e in events if e.type == event_type]
    assert found, [e.type for e in events]
    return {c for c, _ in found[0].actors}


def _person(text: str, full: str, code: str) -> list[Mention]:
    return _m(text, full, code, "entity", "person")


def test_a_bare_surname_names_the_person_met_in_full() -> None:
    cases = [
        ("Lukashenko and Tokayev sign a border treaty\n\nAlexander Lukashenko met Kassym-Jomart Tokayev "
         "in Minsk on Monday. Belarus and Kazakhstan agreed to mark the border.", "en",
         [("Alexander Lukashenko", "BY"), ("Kassym-Jomart Tokayev", "KZ")], "Belarus", "Kazakhstan"),
        ("Лукашенко и Токаев подписали пограничный договор\n\nАлександр Лукашенко принял Касым-Жомарта "
         "Токаева в Минске в понедельник. Беларусь и Казахстан договорились о границе.", "ru",
         [("Александр Лукашенко", "BY"), ("Касым-Жомарта Токаева", "KZ")], "Беларусь", "Казахстан"),
        ("Лукашенко і Токаєв підписали прикордонний договір\n\nОлександр Лукашенко прийняв Касим-Жомарта "
         "Токаєва в Мінську в понеділок. Білорусь і Казахстан домовилися про кордон.", "uk",
         [("Олександр Лукашенко", "BY"), ("Касим-Жомарта Токаєва", "KZ")], "Білорусь", "Казахстан"),
    ]  # fmt: skip
    for text, language, people, by, kz in cases:
        mentions = [*_m(text, by, "BY"), *_m(text, kz, "KZ")]
        for full, code in people:
            mentions += _person(text, full, code)
        first = extract_events(text, language, _PUBLISHED, mentions)[0]
        assert first.type == "AGREE" and first.evidence.startswith(text[:10]), (language, first)
        assert {c for c, _ in first.actors} == {"BY", "KZ"}, (language, first.actors)


def test_a_surname_shared_by_two_countries_names_nobody() -> None:
    text = ("Lee and Putin sign a pact\n\nLee Hsien Loong met Vladimir Putin. Lee Jae-myung said nothing. "
            "Russia and Singapore signed a pact; Singapore will ship chips to Russia.")  # fmt: skip
    mentions = [
        *_person(text, "Lee Hsien Loong", "SG"), *_person(text, "Lee Jae-myung", "KR"),
        *_person(text, "Vladimir Putin", "RU"), *_m(text, "Russia", "RU"), *_m(text, "Singapore", "SG"),
    ]  # fmt: skip
    first = extract_events(text, "en", _PUBLISHED, mentions)[0]
    assert first.evidence.startswith("Lee and Putin") and "KR" not in {c for c, _ in first.actors}


def test_a_country_inside_an_entity_name_is_a_side() -> None:
    cases = [
        ("Delegates met at the Conference on Recovery of Moldova in Rome on Monday. Moldova needs roads.",
         "en", "Conference on Recovery of Moldova", "Moldova"),
        ("Делегаты встретились на Конференции по восстановлению Молдовы в Риме в понедельник. Молдова ждёт.",
         "ru", "Конференции по восстановлению Молдовы", "Молдова"),
        ("Делегати зустрілися на Конференції з відновлення Молдови в Римі в понеділок. Молдова чекає.",
         "uk", "Конференції з відновлення Молдови", "Молдова"),
    ]  # fmt: skip
    for text, language, name, moldova in cases:
        entity = _m(text, name, "IT", "entity", "event")
        # as the matcher gives them: the longest name wins, no country mention inside the entity's
        mentions = [*entity, *(m for m in _m(text, moldova, "MD") if m.start >= entity[0].end)]
        assert {"IT", "MD"} <= _sides(extract_events(text, language, _PUBLISHED, mentions), "CONSULT"), (
            language
        )


def test_ukrainian_recovery_is_no_concession() -> None:
    # "відновлення" (recovery, rebuilding) is a noun of work, not "resumed" given up to the other side
    text = "Україна і Польща обговорили відновлення мостів у середу."
    mentions = [*_m(text, "Україна", "UA"), *_m(text, "Польща", "PL")]
    types = {e.type for e in extract_events(text, "uk", _PUBLISHED, mentions)}
    assert "CONCEDE" not in types and "CONSULT" in types
    resumed = "Польща відновила транзит українського зерна в середу."
    mentions = [*_m(resumed, "Польща", "PL")]
    assert "CONCEDE" in {e.type for e in extract_events(resumed, "uk", _PUBLISHED, mentions)}


_MATCHES = [
    # (language, report, first team, second team): two sports words, then the teams "meet"
    ("en", "Serbia reached the last 16 of the tournament after their striker scored twice. "
     "Serbia will meet Croatia in Munich on Sunday.", "Serbia", "Croatia"),
    ("ru", "Сборная Сербии вышла в плей-офф турнира. Сербия встретится с Хорватией в Мюнхене в воскресенье.",
     "Сербия", "Хорватией"),
    ("uk", "Збірна Сербії вийшла до плей-оф турніру. Сербія зустрінеться з Хорватією в Мюнхені в неділю.",
     "Сербія", "Хорватією"),
    ("sr", "Reprezentacija je prošla dalje na turniru. Srbija će se sastati sa Hrvatskom u nedelju.",
     "Srbija", "Hrvatskom"),
    ("hu", "A válogatott továbbjutott a tornán. Szerbia vasárnap Münchenben találkozik Horvátországgal.",
     "Szerbia", "Horvátországgal"),
]  # fmt: skip


def test_teams_meeting_in_a_sports_report_are_no_talks() -> None:
    for language, text, first, second in _MATCHES:
        mentions = [*_m(text, first, "RS"), *_m(text, second, "HR")]
        assert not any(e.type == "CONSULT" for e in extract_events(text, language, _PUBLISHED, mentions)), (
            language
        )
        # the same sentence outside a sports report is a meeting
        alone = text[text.index(first, 12) :]
        mentions = [*_m(alone, first, "RS"), *_m(alone, second, "HR")]
        assert any(e.type == "CONSULT" for e in extract_events(alone, language, _PUBLISHED, mentions)), (
            language
        )


def test_leaders_meeting_at_a_match_still_meet() -> None:
    text = (
        "Serbia reached the last 16 of the tournament after their striker scored twice. "
        "At the stadium, Aleksandar Vučić met Andrej Plenković of Croatia on Sunday."
    )
    mentions = [
        *_m(text, "Serbia", "RS"),
        *_m(text, "Croatia", "HR"),
        *_person(text, "Aleksandar Vučić", "RS"),
        *_person(text, "Andrej Plenković", "HR"),
    ]
    assert {"RS", "HR"} <= _sides(extract_events(text, "en", _PUBLISHED, mentions), "CONSULT")


def test_verb_final_languages_take_the_mode_from_the_clause_end() -> None:
    # Kazakh and Uzbek put the verb, and with it "is expected", at the end, far after the trigger noun
    cases = [
        ("kk", "Саммитте Қытай мен Қазақстан басшылары, сондай-ақ көптеген министрлер мен кәсіпкерлер "
         "энергетика және көлік мәселелері бойынша кездесулер өткізеді деп күтілуде.", "Қытай", "Қазақстан"),
        ("uz", "Toshkentdagi sammitda Xitoy va Qozogʻiston rahbarlari, shuningdek, koʻplab vazirlar, "
         "diplomatlar va ishbilarmonlar ishtirok etishi kutilmoqda.", "Xitoy", "Qozogʻiston"),
        ("ky", "Саммитте Кытай менен Кыргызстандын лидерлери, ошондой эле көптөгөн министрлер, дипломаттар "
         "жана ишкерлер энергетика маселелерин талкуулашы күтүлүүдө.", "Кытай", "Кыргызстандын"),
        ("az", "Sammitdə Çin və Azərbaycan liderləri, eləcə də bir çox nazirlər, diplomatlar və iş adamları "
         "enerji və nəqliyyat məsələlərini müzakirə edəcəklər, gözlənilir.", "Çin", "Azərbaycan"),
    ]  # fmt: skip
    for language, text, cn, kz in cases:
        mentions = [*_m(text, cn, "CN"), *_m(text, kz, "KZ")]
        consult = [e for e in extract_events(text, language, _PUBLISHED, mentions) if e.type == "CONSULT"]
        assert consult and consult[0].mode == "planned", (language, consult)


def test_history_in_a_relative_clause_is_no_signing() -> None:
    cases = [
        ("en", "Serbia and China held talks on Tuesday in the palace, where in 1955 a friendship treaty "
         "was signed, and praised their ties.", "Serbia", "China"),
        ("ru", "Сербия и Китай провели переговоры во вторник во дворце, где в 1955 году был подписан "
         "договор о дружбе, и похвалили связи.", "Сербия", "Китай"),
        ("uk", "Сербія і Китай провели переговори у вівторок у палаці, де в 1955 році було підписано "
         "договір про дружбу, і похвалили зв'язки.", "Сербія", "Китай"),
    ]  # fmt: skip
    for language, text, rs, cn in cases:
        mentions = [*_m(text, rs, "RS"), *_m(text, cn, "CN")]
        types = {e.type for e in extract_events(text, language, _PUBLISHED, mentions)}
        assert "CONSULT" in types and "AGREE" not in types, (language, types)


def test_participles_used_as_adjectives_report_no_event() -> None:
    cases = [
        ("en", "Kazakhstan and China have a Chinese-built bridge.", "Kazakhstan", "China", "COOPERATE"),
        ("en", "Kazakhstan and China own a blacklisted bank in Almaty.", "Kazakhstan", "China", "SANCTION"),
        ("en", "Kazakhstan and China know the names of detained traders.", "Kazakhstan", "China",
         "COERCE"),
        ("ru", "Казахстан и Китай знают имена задержанных торговцев.", "Казахстан", "Китай",
         "COERCE"),
        ("uk", "Казахстан і Китай знають імена затриманих торговців.", "Казахстан", "Китай",
         "COERCE"),
    ]  # fmt: skip
    for language, text, kz, cn, wrong in cases:
        mentions = [*_m(text, kz, "KZ"), *_m(text, cn, "CN")]
        types = {e.type for e in extract_events(text, language, _PUBLISHED, mentions)}
        assert wrong not in types, (language, text, types)
    # the verb itself still reports the event, in every form
    reports = [
        ("en", "China detained traders from Kazakhstan on Monday.", "Kazakhstan", "China"),
        ("ru", "Китай в понедельник задержал торговцев из Казахстана.", "Казахстана", "Китай"),
        ("uk", "У понеділок торговці з Казахстану були затримані в Китаї.", "Казахстану", "Китаї"),
    ]
    for language, text, kz, cn in reports:
        mentions = [*_m(text, kz, "KZ"), *_m(text, cn, "CN")]
        assert "COERCE" in {e.type for e in extract_events(text, language, _PUBLISHED, mentions)}, text
    text = "Kazakhstan blacklisted a bank from China on Monday."
    mentions = [*_m(text, "Kazakhstan", "KZ"), *_m(text, "China", "CN")]
    assert "SANCTION" in {e.type for e in extract_events(text, "en", _PUBLISHED, mentions)}


def test_a_final_communique_is_an_agreement() -> None:
    cases = [
        ("en", "The meeting closed on Sunday with a final communiqué endorsed by Serbia and Hungary.",
         "Serbia", "Hungary"),
        ("ru", "Встреча завершилась в воскресенье итоговым коммюнике, его приняли Сербия и Венгрия.",
         "Сербия", "Венгрия"),
        ("uk", "Зустріч завершилася в неділю підсумковим комюніке, до якого приєдналися Сербія та Угорщина.",
         "Сербія", "Угорщина"),
    ]  # fmt: skip
    for language, text, rs, hu in cases:
        mentions = [*_m(text, rs, "RS"), *_m(text, hu, "HU")]
        assert {"RS", "HU"} <= _sides(extract_events(text, language, _PUBLISHED, mentions), "AGREE"), language


_TUESDAY = date(2024, 7, 9)


def test_a_planned_event_on_the_publication_weekday_is_that_day() -> None:
    cases = [
        ("en", "Serbia and China will hold talks on Tuesday.", "Serbia", "China"),
        ("ru", "Сербия и Китай проведут переговоры во вторник.", "Сербия", "Китай"),
        ("uk", "Сербія і Китай проведуть переговори у вівторок.", "Сербія", "Китай"),
    ]
    for language, text, rs, cn in cases:
        mentions = [*_m(text, rs, "RS"), *_m(text, cn, "CN")]
        (consult,) = [e for e in extract_events(text, language, _TUESDAY, mentions) if e.type == "CONSULT"]
        assert (consult.mode, consult.date) == ("planned", "2024-07-09"), language
        # another weekday still looks forward
        friday = text.replace("Tuesday", "Friday").replace("во вторник", "в пятницу")
        friday = friday.replace("у вівторок", "у п'ятницю")
        mentions = [*_m(friday, rs, "RS"), *_m(friday, cn, "CN")]
        (consult,) = [e for e in extract_events(friday, language, _TUESDAY, mentions) if e.type == "CONSULT"]
        assert consult.date == "2024-07-12", language


def test_a_meeting_said_to_begin_on_a_day_starts_that_day() -> None:
    cases = [
        ("en", "The two-day talks between Serbia and China, which began on Thursday, ended in Belgrade.",
         "Serbia", "China"),
        ("ru", "Двухдневные переговоры Сербии и Китая, начавшиеся в четверг, завершились в Белграде.",
         "Сербии", "Китая"),
        ("uk", "Дводенні переговори Сербії та Китаю, що розпочалися в четвер, завершилися в Белграді.",
         "Сербії", "Китаю"),
    ]  # fmt: skip
    for language, text, rs, cn in cases:
        mentions = [*_m(text, rs, "RS"), *_m(text, cn, "CN")]
        (consult,) = [
            e for e in extract_events(text, language, date(2024, 5, 18), mentions) if e.type == "CONSULT"
        ]
        assert consult.date == "2024-05-16", (language, consult.date)  # Thursday, not the day before


def test_getting_ready_for_a_summit_is_a_plan() -> None:
    cases = [
        ("en", "Serbia gets ready for the summit with China", "Serbia", "China"),
        ("ru", "Сербия готовится к саммиту с Китаем", "Сербия", "Китаем"),
        ("uk", "Сербія готується до саміту з Китаєм", "Сербія", "Китаєм"),
        ("kk", "Сербия Қытаймен саммитке дайын", "Сербия", "Қытаймен"),
    ]
    for language, text, rs, cn in cases:
        mentions = [*_m(text, rs, "RS"), *_m(text, cn, "CN")]
        consult = [e for e in extract_events(text, language, _PUBLISHED, mentions) if e.type == "CONSULT"]
        assert consult and consult[0].mode == "planned", (language, consult)


def test_a_year_after_since_is_no_date_of_the_event() -> None:
    cases = [
        ("en", "It is the first visit of a Chinese leader to Serbia since 2016.",
         "Serbia", "Chinese"),
        ("ru", "Это первый визит лидера Китая в Сербию с 2016 года.", "Сербию", "Китая"),
        ("uk", "Це перший візит лідера Китаю до Сербії з 2016 року.", "Сербії", "Китаю"),
        ("sr", "Ovo je prva poseta kineskog lidera Srbiji od 2016. godine.", "Srbiji", "kineskog"),
    ]  # fmt: skip
    for language, text, rs, cn in cases:
        mentions = [*_m(text, rs, "RS"), *_m(text, cn, "CN")]
        consult = [e for e in extract_events(text, language, _PUBLISHED, mentions) if e.type == "CONSULT"]
        assert consult and consult[0].mode == "asserted", (language, consult)
    # history without "since" stays history
    text = "Это был визит лидера Китая в Сербию в 2016 году."
    mentions = [*_m(text, "Сербию", "RS"), *_m(text, "Китая", "CN")]
    assert extract_events(text, "ru", _PUBLISHED, mentions) == ()


def test_the_day_of_a_statement_dates_no_plan() -> None:
    # published on a Wednesday; the plan's day is in the next sentence, the statement's in its own
    cases = [
        ("en", "Serbia will host talks with China, officials said on Wednesday. The talks open on May 27.",
         "Serbia", "China"),
        ("ru", "Сербия проведёт переговоры с Китаем, заявил в среду министр. Переговоры откроются 27 мая.",
         "Сербия", "Китаем"),
        ("uk", "Сербія проведе переговори з Китаєм, заявив у середу міністр. Вони відкриються 27 травня.",
         "Сербія", "Китаєм"),
    ]  # fmt: skip
    for language, text, rs, cn in cases:
        mentions = [*_m(text, rs, "RS"), *_m(text, cn, "CN")]
        consult = [e for e in extract_events(text, language, _PUBLISHED, mentions) if e.type == "CONSULT"]
        assert consult and (consult[0].mode, consult[0].date) == ("planned", "2024-05-27"), (
            language,
            consult,
        )


def test_a_country_that_hosts_plants_holds_no_meeting() -> None:
    text = "Hungary hosts battery plants from China in Debrecen."
    mentions = [*_m(text, "Hungary", "HU"), *_m(text, "China", "CN")]
    assert not any(e.type == "CONSULT" for e in extract_events(text, "en", _PUBLISHED, mentions))
    text = "Hungary hosted the leader of China in Budapest on Monday."
    mentions = [*_m(text, "Hungary", "HU"), *_m(text, "China", "CN")]
    assert any(e.type == "CONSULT" for e in extract_events(text, "en", _PUBLISHED, mentions))


def test_a_refusal_governs_what_it_refuses() -> None:
    cases = [
        ("en", "China on Monday rejected the accusations made by Lithuania.", "China", "Lithuania"),
        ("ru", "Китай в понедельник отверг обвинения Литвы.", "Китай", "Литвы"),
        ("uk", "Китай у понеділок відкинув звинувачення Литви.", "Китай", "Литви"),
        ("sr", "Kina je u ponedeljak odbacila optužbe Litvanije.", "Kina", "Litvanije"),
    ]
    for language, text, cn, lt in cases:
        mentions = [*_m(text, cn, "CN"), *_m(text, lt, "LT")]
        types = {e.type for e in extract_events(text, language, _PUBLISHED, mentions)}
        assert {"REJECT", "ACCUSE"} <= types, (language, types)  # the accusation was made, and refused
    sanctions = [
        ("en", "China on Monday rejected the new sanctions of Lithuania.", "China", "Lithuania"),
        ("ru", "Китай в понедельник отверг новые санкции Литвы.", "Китай", "Литвы"),
        ("uk", "Китай у понеділок відкинув нові санкції Литви.", "Китай", "Литви"),
    ]
    for language, text, cn, lt in sanctions:
        mentions = [*_m(text, cn, "CN"), *_m(text, lt, "LT")]
        types = {e.type for e in extract_events(text, language, _PUBLISHED, mentions)}
        assert {"REJECT", "SANCTION"} <= types, (language, types)  # the sanctions were imposed, and refused
    text = "China on Monday rejected the talks that Lithuania proposed."
    mentions = [*_m(text, "China", "CN"), *_m(text, "Lithuania", "LT")]
    assert {e.type for e in extract_events(text, "en", _PUBLISHED, mentions)} == {"REJECT"}  # no talks held
    text = "Lithuania on Monday accused China of rejecting the talks."
    mentions = [*_m(text, "China", "CN"), *_m(text, "Lithuania", "LT")]
    assert "ACCUSE" in {e.type for e in extract_events(text, "en", _PUBLISHED, mentions)}


def test_a_month_adjective_dates_its_event() -> None:
    from eurasiawatch.annotate.dates import find_dates

    published = date(2024, 8, 20)
    for language, text, month in [
        ("ru", "итоги майского визита", 5),
        ("uk", "підсумки травневого візиту", 5),
        ("sr", "rezultati majske posete", 5),
        ("hu", "a májusi látogatás eredményei", 5),
        ("ru", "июньская конференция", 6),
    ]:
        (span,) = find_dates(text, language, published, coarse=True)
        assert (span.precision, span.start) == ("month", date(2024, month, 1)), (language, span)
    # the event it dates is history, not this week's news
    cases = [
        ("ru", "Китай не поддержал июньскую конференцию Швейцарии.", "Китай", "Швейцарии"),
        ("uk", "Китай не підтримав червневу конференцію Швейцарії.", "Китай", "Швейцарії"),
    ]
    for language, text, cn, ch in cases:
        mentions = [*_m(text, cn, "CN"), *_m(text, ch, "CH")]
        assert extract_events(text, language, published, mentions) == (), language
        assert extract_events(text, language, date(2024, 6, 20), mentions), language  # in June: news


def test_an_ongoing_state_is_no_event() -> None:
    cases = [
        ("en", "Banks in China continue to refuse payments from Kazakhstan.", "China", "Kazakhstan"),
        (
            "ru",
            "Банки Китая по-прежнему отказываются принимать платежи из Казахстана.",
            "Китая",
            "Казахстана",
        ),
        ("uk", "Банки Китаю досі відмовляються приймати платежі з Казахстану.", "Китаю", "Казахстану"),
        ("sr", "Banke u Kini i dalje odbijaju plaćanja iz Kazahstana.", "Kini", "Kazahstana"),
    ]
    for language, text, cn, kz in cases:
        mentions = [*_m(text, cn, "CN"), *_m(text, kz, "KZ")]
        assert extract_events(text, language, _PUBLISHED, mentions) == (), language
        # said of one day, the refusal is an event
        once = text.replace("continue to refuse", "refused").replace("по-прежнему отказываются", "отказались")
        once = once.replace("досі відмовляються", "відмовилися").replace("i dalje odbijaju", "odbile su")
        mentions = [*_m(once, cn, "CN"), *_m(once, kz, "KZ")]
        assert "REJECT" in {e.type for e in extract_events(once, language, _PUBLISHED, mentions)}, once


def test_a_leader_received_by_another_is_a_meeting() -> None:
    text = "The prime minister of Hungary was received by the president of China in Beijing on Monday."
    mentions = [*_m(text, "Hungary", "HU"), *_m(text, "China", "CN")]
    assert {"HU", "CN"} <= _sides(extract_events(text, "en", _PUBLISHED, mentions), "CONSULT")
    text = "Hungary received a loan from China on Monday."
    mentions = [*_m(text, "Hungary", "HU"), *_m(text, "China", "CN")]
    assert not any(e.type == "CONSULT" for e in extract_events(text, "en", _PUBLISHED, mentions))


def test_the_threat_of_sanctions_is_a_threat() -> None:
    cases = [
        ("en", "Banks in Kazakhstan face the threat of secondary sanctions from the United States.",
         "Kazakhstan", "United States"),
        ("ru", "Банкам Казахстана грозит угроза вторичных санкций со стороны США.", "Казахстана", "США"),
        ("uk", "Банкам Казахстану загрожує ризик вторинних санкцій з боку США.", "Казахстану", "США"),
    ]  # fmt: skip
    for language, text, kz, us in cases:
        mentions = [*_m(text, kz, "KZ"), *_m(text, us, "US")]
        types = {e.type for e in extract_events(text, language, _PUBLISHED, mentions)}
        assert "THREATEN" in types and "SANCTION" not in types, (language, types)


def test_an_appeal_to_everyone_is_no_request() -> None:
    cases = [
        ("en", "China and Brazil on Monday called on all parties to avoid escalation.", "China", "Brazil"),
        (
            "ru",
            "Китай и Бразилия в понедельник призвали все стороны избегать эскалации.",
            "Китай",
            "Бразилия",
        ),
        ("uk", "Китай і Бразилія в понеділок закликали всі сторони уникати ескалації.", "Китай", "Бразилія"),
        (
            "sr",
            "Kina i Brazil su u ponedeljak pozvali sve strane da izbegavaju eskalaciju.",
            "Kina",
            "Brazil",
        ),
    ]
    for language, text, cn, br in cases:
        mentions = [*_m(text, cn, "CN"), *_m(text, br, "BR")]
        assert not any(e.type == "REQUEST" for e in extract_events(text, language, _PUBLISHED, mentions)), (
            language
        )
    # a request to a named side stays one
    text = "China on Monday called on Brazil to avoid escalation."
    mentions = [*_m(text, "China", "CN"), *_m(text, "Brazil", "BR")]
    assert any(e.type == "REQUEST" for e in extract_events(text, "en", _PUBLISHED, mentions))


def test_a_participle_with_its_agent_describes_a_noun() -> None:
    text = "In Astana, the mayor, backed by the ruling party of Kazakhstan, met no one from China."
    mentions = [*_m(text, "Kazakhstan", "KZ"), *_m(text, "China", "CN")]
    assert not any(e.type == "SUPPORT" for e in extract_events(text, "en", _PUBLISHED, mentions))
    for passive in ("The plan of Kazakhstan was backed by China on Monday.",
                    "The plan of Kazakhstan was strongly backed by China on Monday."):  # fmt: skip
        mentions = [*_m(passive, "Kazakhstan", "KZ"), *_m(passive, "China", "CN")]
        assert any(e.type == "SUPPORT" for e in extract_events(passive, "en", _PUBLISHED, mentions)), passive


def test_restrictive_measures_are_sanctions() -> None:
    cases = [
        ("en", "The European Union imposed restrictive measures on firms from China on Monday.", "China"),
        ("ru", "Евросоюз в понедельник ввёл ограничительные меры против компаний из Китая.", "Китая"),
        ("uk", "Євросоюз у понеділок запровадив обмежувальні заходи проти компаній з Китаю.", "Китаю"),
    ]
    for language, text, cn in cases:
        mentions = [*_m(text, cn, "CN")]
        assert "SANCTION" in {e.type for e in extract_events(text, language, _PUBLISHED, mentions)}, language


def test_what_applies_in_case_of_is_hypothetical() -> None:
    cases = [
        ("en", "Russia and Belarus will send aid to each other in case of war.", "Russia", "Belarus"),
        ("ru", "Россия и Беларусь окажут помощь друг другу в случае войны.", "Россия", "Беларусь"),
        ("uk", "Росія і Білорусь нададуть допомогу одна одній у разі війни.", "Росія", "Білорусь"),
    ]
    for language, text, ru, by in cases:
        mentions = [*_m(text, ru, "RU"), *_m(text, by, "BY")]
        aid = [e for e in extract_events(text, language, _PUBLISHED, mentions) if e.type == "AID"]
        assert aid and aid[0].mode == "hypothetical", (language, aid)


def test_a_date_after_until_ends_the_event() -> None:
    cases = [
        ("en", "The leader of China leaves for Serbia on Tuesday. "
         "His state visit to Serbia will last until May 30.",
         "China", "Serbia"),
        ("ru", "Лидер Китая во вторник отправится в Сербию. "
         "Его государственный визит в Сербию будет длиться до 30 мая.",
         "Китая", "Сербию"),
        ("uk", "Лідер Китаю у вівторок вирушить до Сербії. "
         "Його державний візит до Сербії триватиме до 30 травня.",
         "Китаю", "Сербії"),
    ]  # fmt: skip
    for language, text, cn, rs in cases:
        mentions = [*_m(text, cn, "CN"), *_m(text, rs, "RS")]
        (consult,) = [e for e in extract_events(text, language, _PUBLISHED, mentions) if e.type == "CONSULT"]
        assert (consult.mode, consult.date) == ("planned", "2024-05-28"), (language, consult)


def test_duties_taking_effect_are_no_cooperation() -> None:
    cases = [
        ("en", "China urged talks with the EU as duties on cars from China take effect on Friday.",
         "China"),
        ("ru", "Китай призвал ЕС к диалогу, так как в пятницу вступают в силу пошлины на авто из Китая.",
         "Китай"),
        ("uk", "Китай закликав ЄС до діалогу, оскільки в п'ятницю набувають чинності мита на авто з Китаю.",
         "Китай"),
    ]  # fmt: skip
    for language, text, cn in cases:
        mentions = [*_m(text, cn, "CN")]
        types = {e.type for e in extract_events(text, language, _PUBLISHED, mentions)}
        assert types and "COOPERATE" not in types, (language, types)


def test_what_went_on_for_decades_is_background() -> None:
    cases = [
        ("en", "Kazakhstan and China have discussed the railway for decades.", "Kazakhstan", "China"),
        ("ru", "Казахстан и Китай десятилетиями обсуждали эту железную дорогу.", "Казахстан", "Китай"),
        ("uk", "Казахстан і Китай десятиліттями обговорювали цю залізницю.", "Казахстан", "Китай"),
    ]
    for language, text, kz, cn in cases:
        mentions = [*_m(text, kz, "KZ"), *_m(text, cn, "CN")]
        assert extract_events(text, language, _PUBLISHED, mentions) == (), language


def test_a_standing_opposition_is_no_rejection() -> None:
    text = "Hungary opposes decoupling from China, its prime minister said."
    mentions = [*_m(text, "Hungary", "HU"), *_m(text, "China", "CN")]
    assert not any(e.type == "REJECT" for e in extract_events(text, "en", _PUBLISHED, mentions))
    text = "Hungary on Monday rejected a proposal from China."
    mentions = [*_m(text, "Hungary", "HU"), *_m(text, "China", "CN")]
    assert any(e.type == "REJECT" for e in extract_events(text, "en", _PUBLISHED, mentions))


def test_kazakh_and_uzbek_future_forms_are_plans() -> None:
    cases = [
        ("kk", "Қазақстан мен Қытай энергетика мәселелерін талқылайды.", "Қазақстан", "Қытай"),
        ("kk", "Қазақстан мен Қытай энергетика мәселелерін талқылады.", "Қазақстан", "Қытай"),
        ("uz", "Oʻzbekiston va Xitoy energetika masalalarini muhokama qiladi.", "Oʻzbekiston", "Xitoy"),
        ("uz", "Oʻzbekiston va Xitoy energetika masalalarini muhokama qildi.", "Oʻzbekiston", "Xitoy"),
    ]
    expected = ["planned", "asserted", "planned", "asserted"]
    for (language, text, kz, cn), mode in zip(cases, expected, strict=True):
        mentions = [*_m(text, kz, "KZ"), *_m(text, cn, "CN")]
        consult = [e for e in extract_events(text, language, _PUBLISHED, mentions) if e.type == "CONSULT"]
        assert consult and consult[0].mode == mode, (text, consult)


def test_a_hoped_for_deal_is_hypothetical() -> None:
    cases = [
        ("en", "Azerbaijan hopes for a strategic partnership with China.", "Azerbaijan", "China"),
        ("ru", "Азербайджан рассчитывает на стратегическое партнёрство с Китаем.", "Азербайджан", "Китаем"),
        ("uk", "Азербайджан розраховує на стратегічне партнерство з Китаєм.", "Азербайджан", "Китаєм"),
        ("sr", "Azerbejdžan se nada strateškom partnerstvu sa Kinom.", "Azerbejdžan", "Kinom"),
    ]
    for language, text, az, cn in cases:
        mentions = [*_m(text, az, "AZ"), *_m(text, cn, "CN")]
        agree = [e for e in extract_events(text, language, _PUBLISHED, mentions) if e.type == "AGREE"]
        assert agree and agree[0].mode == "hypothetical", (language, agree)


def test_agreeing_to_keep_negotiating_is_no_deal() -> None:
    cases = [
        ("en", "Armenia and Azerbaijan agreed to continue talks on the treaty on Saturday.", "Armenia",
         "Azerbaijan"),
        ("ru", "Армения и Азербайджан в субботу договорились продолжить работу над договором.", "Армения",
         "Азербайджан"),
        ("uk", "Вірменія та Азербайджан у суботу домовилися продовжити роботу над договором.", "Вірменія",
         "Азербайджан"),
    ]  # fmt: skip
    for language, text, am, az in cases:
        mentions = [*_m(text, am, "AM"), *_m(text, az, "AZ")]
        agree = {e.mode for e in extract_events(text, language, _PUBLISHED, mentions) if e.type == "AGREE"}
        assert agree == {"negated"}, (language, agree)


def test_would_in_reported_speech_is_a_plan() -> None:
    text = "The European Commission said duties on cars from China would apply from July 4."
    mentions = [*_m(text, "China", "CN")]
    (sanction,) = [e for e in extract_events(text, "en", _PUBLISHED, mentions) if e.type == "SANCTION"]
    assert (sanction.mode, sanction.date) == ("planned", "2024-07-04")
    text = "Duties on cars from China would hurt the carmakers of Hungary."  # no statement: a conditional
    mentions = [*_m(text, "China", "CN"), *_m(text, "Hungary", "HU")]
    assert [e.mode for e in extract_events(text, "en", _PUBLISHED, mentions)] == ["hypothetical"]


def test_a_condition_after_the_event_keeps_its_cues() -> None:
    cases = [
        ("en", "Kazakhstan will sign the deal with China on June 5 if the talks did not fail.", "Kazakhstan",
         "China"),
        ("ru", "Казахстан подпишет соглашение с Китаем 5 июня, если переговоры не сорвутся.", "Казахстан",
         "Китаем"),
        ("uk", "Казахстан підпише угоду з Китаєм 5 червня, якщо переговори не зірвуться.", "Казахстан",
         "Китаєм"),
    ]  # fmt: skip
    for language, text, kz, cn in cases:
        mentions = [*_m(text, kz, "KZ"), *_m(text, cn, "CN")]
        agree = [e for e in extract_events(text, language, _PUBLISHED, mentions) if e.type == "AGREE"]
        assert agree and agree[0].mode == "planned", (language, agree)  # not negated by "did not fail"


def test_another_pair_on_its_own_day_is_another_meeting() -> None:
    cases = [
        ("en", "Kazakhstan and China held talks in Astana on Monday. On Tuesday, Russia and Belarus met "
         "in Minsk.", ["Kazakhstan", "China", "Russia", "Belarus"]),
        ("ru", "Казахстан и Китай провели переговоры в Астане в понедельник. Во вторник Россия и Беларусь "
         "провели переговоры в Минске.", ["Казахстан", "Китай", "Россия", "Беларусь"]),
        ("uk", "Казахстан і Китай провели переговори в Астані в понеділок. У вівторок Росія і Білорусь "
         "провели переговори в Мінську.", ["Казахстан", "Китай", "Росія", "Білорусь"]),
    ]  # fmt: skip
    published = date(2024, 5, 22)  # a Wednesday
    for language, text, names in cases:
        mentions = [
            m
            for name, code in zip(names, ["KZ", "CN", "RU", "BY"], strict=True)
            for m in _m(text, name, code)
        ]
        consult = [e for e in extract_events(text, language, published, mentions) if e.type == "CONSULT"]
        assert [(e.date, {c for c, _ in e.actors}) for e in consult] == [
            ("2024-05-20", {"KZ", "CN"}),
            ("2024-05-21", {"RU", "BY"}),
        ], (language, consult)


def test_a_meeting_called_a_conference_of_ministers_or_a_gathering() -> None:
    cases = [
        ("ru", "Министры Казахстана и Китая провели совещание в Астане.", "Казахстана", "Китая"),
        ("ru", "Министры Казахстана и Китая собрались в Астане.", "Казахстана", "Китая"),
        ("uk", "Міністри Казахстану та Китаю провели нараду в Астані.", "Казахстану", "Китаю"),
        ("uk", "Міністри Казахстану та Китаю зібралися в Астані.", "Казахстану", "Китаю"),
    ]
    for language, text, kz, cn in cases:
        mentions = [*_m(text, kz, "KZ"), *_m(text, cn, "CN")]
        assert "CONSULT" in {e.type for e in extract_events(text, language, _PUBLISHED, mentions)}, text


def test_an_undated_report_skips_a_sentence_whose_dates_are_its_own_events() -> None:
    # the day before publication (a Wednesday) is the talks' day; the visit's span is a plan's dates
    cases = [
        ("en", "Kazakhstan's president held talks with China's leader in Beijing on Tuesday. The state "
         "visit, which lasts from 20 to 24 May, marks an anniversary. The two sides signed a plan of action.",
         "Kazakhstan", "China"),
        ("ru", "Президент Казахстана во вторник провел в Пекине переговоры с лидером Китая. Государственный "
         "визит, который продлится с 20 по 24 мая, приурочен к юбилею. Стороны подписали план действий.",
         "Казахстана", "Китая"),
        ("uk", "Президент Казахстану у вівторок провів у Пекіні переговори з лідером Китаю. Державний "
         "візит, який триватиме з 20 по 24 травня, приурочений до ювілею. Сторони підписали план дій.",
         "Казахстану", "Китаю"),
    ]  # fmt: skip
    for language, text, kz, cn in cases:
        mentions = [*_m(text, kz, "KZ"), *_m(text, cn, "CN")]
        agree = [e for e in extract_events(text, language, _PUBLISHED, mentions) if e.type == "AGREE"]
        assert [e.date for e in agree] == ["2024-05-21"], (language, agree)
    # a sentence with a date and no event of its own still dates the next one
    text = "Kazakhstan's president arrived in Beijing on Monday. He signed a plan of action with China."
    mentions = [*_m(text, "Kazakhstan", "KZ"), *_m(text, "China", "CN")]
    agree = [e for e in extract_events(text, "en", _PUBLISHED, mentions) if e.type == "AGREE"]
    assert [e.date for e in agree] == ["2024-05-20"], agree


def test_a_present_verb_after_a_subject_pronoun_describes_the_noun() -> None:
    cases = [
        ("en", "Kazakhstan listed banks in China, which quietly supports Russia's army.",
         "Kazakhstan listed banks in China. China quietly supports Russia's army.", "Kazakhstan", "China"),
        ("ru", "Казахстан назвал банки Китая, которые тайно поддерживают армию России.",
         "Казахстан назвал банки Китая. Банки Китая тайно поддерживают армию России.", "Казахстан", "Китая"),
        ("uk", "Казахстан назвав банки Китаю, які таємно підтримують армію Росії.",
         "Казахстан назвав банки Китаю. Банки Китаю таємно підтримують армію Росії.", "Казахстан", "Китаю"),
    ]  # fmt: skip
    for language, clause, plain, kz, cn in cases:
        for text, expected in ((clause, False), (plain, True)):
            mentions = [*_m(text, kz, "KZ"), *_m(text, cn, "CN")]
            types = {e.type for e in extract_events(text, language, _PUBLISHED, mentions)}
            assert ("SUPPORT" in types) is expected, (language, text, types)
    # the pronoun as the object: the verb's subject is named, the accusation stays
    text = "Казахстан назвал банки Китая, которые Россия обвиняет в обмане."
    mentions = [*_m(text, "Казахстан", "KZ"), *_m(text, "Китая", "CN"), *_m(text, "Россия", "RU")]
    assert "ACCUSE" in {e.type for e in extract_events(text, "ru", _PUBLISHED, mentions)}


def test_the_power_to_impose_sanctions_is_a_threat() -> None:
    cases = [
        ("en", "The United States gave itself the power to impose sanctions on banks in China.",
         "The United States imposed sanctions on banks in China.", "United States", "China"),
        ("ru", "США приняли указ, позволяющий вводить санкции против банков Китая.",
         "США ввели санкции против банков Китая.", "США", "Китая"),
        ("uk", "США ухвалили указ, що дозволяє запроваджувати санкції проти банків Китаю.",
         "США запровадили санкції проти банків Китаю.", "США", "Китаю"),
    ]  # fmt: skip
    for language, power, imposed, us, cn in cases:
        for text, expected in ((power, "THREATEN"), (imposed, "SANCTION")):
            mentions = [*_m(text, us, "US"), *_m(text, cn, "CN")]
            types = [e.type for e in extract_events(text, language, _PUBLISHED, mentions)]
            assert types[:1] == [expected], (language, text, types)


def test_a_sentence_opening_with_in_and_a_month_is_history() -> None:
    text = "In January Kazakhstan and China signed a rail agreement."
    mentions = [*_m(text, "Kazakhstan", "KZ"), *_m(text, "China", "CN")]
    assert extract_events(text, "en", date(2024, 5, 8), mentions) == ()  # four months back: background


def test_a_negotiating_framework_is_no_meeting() -> None:
    published = date(2024, 6, 21)  # a Friday
    cases = [
        ("en", "On Friday Kazakhstan approved the negotiating framework for its partnership with China, "
         "allowing both sides to open talks on Tuesday, June 25.", "Kazakhstan", "China"),
        ("ru", "В пятницу Казахстан одобрил переговорную позицию по партнерству с Китаем, что позволит "
         "сторонам открыть переговоры во вторник, 25 июня.", "Казахстан", "Китаем"),
        ("uk", "У п'ятницю Казахстан схвалив переговорну позицію щодо партнерства з Китаєм, що дозволить "
         "сторонам відкрити переговори у вівторок, 25 червня.", "Казахстан", "Китаєм"),
    ]  # fmt: skip
    for language, text, kz, cn in cases:
        mentions = [*_m(text, kz, "KZ"), *_m(text, cn, "CN")]
        consult = [e for e in extract_events(text, language, published, mentions) if e.type == "CONSULT"]
        # the talks are the meeting, ahead on the 25th; the framework approved on Friday is none
        assert [(e.mode, e.date) for e in consult] == [("planned", "2024-06-25")], (language, consult)


def test_adopting_a_named_declaration_is_an_agreement() -> None:
    cases = [
        ("ru", "Лидеры Казахстана и Китая приняли Астанинскую декларацию.",
         "Лидеры Казахстана и Китая приняли проект декларации к сведению.", "Казахстана", "Китая"),
        ("uk", "Лідери Казахстану та Китаю ухвалили Астанинську декларацію.",
         "Лідери Казахстану та Китаю обговорили проєкт декларації.", "Казахстану", "Китаю"),
        ("uz", "Qozogʻiston va Xitoy rahbarlari Astana deklaratsiyasini qabul qilishdi.",
         "Qozogʻiston va Xitoy rahbarlari deklaratsiya loyihasini muhokama qilishdi.",
         "Qozogʻiston", "Xitoy"),
        ("sr", "Lideri Kazahstana i Kine usvojili su Astansku deklaraciju.",
         "Lideri Kazahstana i Kine razgovarali su o nacrtu deklaracije.", "Kazahstana", "Kine"),
    ]  # fmt: skip
    for language, adopted, draft, kz, cn in cases:
        for text, expected in ((adopted, True), (draft, False)):
            mentions = [*_m(text, kz, "KZ"), *_m(text, cn, "CN")]
            types = {e.type for e in extract_events(text, language, _PUBLISHED, mentions)}
            assert ("AGREE" in types) is expected, (language, text, types)


def test_a_country_as_the_place_of_a_thing_is_no_side() -> None:
    cases = [
        ("kk", "Қазақстан мен Қытай министрлері Ауғанстандағы ахуалды талқылады.",
         "Қазақстан мен Ауғанстан министрлері ахуалды талқылады.", "Қазақстан", "Қытай", "Ауғанстан"),
        ("uz", "Oʻzbekiston va Xitoy vazirlari Afgʻonistondagi vaziyatni muhokama qilishdi.",
         "Oʻzbekiston va Afgʻoniston vazirlari vaziyatni muhokama qilishdi.", "Oʻzbekiston", "Xitoy",
         "Afgʻoniston"),
        ("ky", "Кыргызстан менен Кытайдын министрлери Ооганстандагы абалды талкуулашты.",
         "Кыргызстан менен Ооганстандын министрлери абалды талкуулашты.", "Кыргызстан", "Кытай",
         "Ооганстан"),
    ]  # fmt: skip
    for language, located, side, home, cn, af in cases:
        for text, expected in ((located, False), (side, True)):
            mentions = [*_m(text, home, "KZ"), *_m(text, cn, "CN"), *_m(text, af, "AF")]
            events = extract_events(text, language, _PUBLISHED, mentions)
            assert events, (language, text)
            # "the situation in Afghanistan" is a topic; Afghanistan's own ministers are a side
            assert ("AF" in {c for e in events for c, _ in e.actors}) is expected, (language, text, events)


def test_talks_someone_is_instructed_to_start_are_a_plan() -> None:
    cases = [
        (
            "en",
            "Kazakhstan's president instructed the government to start talks with China.",
            "Kazakhstan",
            "China",
        ),
        ("ru", "Правительству Казахстана поручено начать переговоры с Китаем.", "Казахстана", "Китаем"),
        ("uk", "Президент Казахстану доручив уряду почати переговори з Китаєм.", "Казахстану", "Китаєм"),
    ]
    for language, text, kz, cn in cases:
        mentions = [*_m(text, kz, "KZ"), *_m(text, cn, "CN")]
        consult = [e for e in extract_events(text, language, _PUBLISHED, mentions) if e.type == "CONSULT"]
        assert [e.mode for e in consult] == ["planned"], (language, consult)
    # on someone's instruction, the talks held are a report
    text = "По поручению президента Казахстана министр провел переговоры с Китаем."
    mentions = [*_m(text, "Казахстана", "KZ"), *_m(text, "Китаем", "CN")]
    consult = [e for e in extract_events(text, "ru", _PUBLISHED, mentions) if e.type == "CONSULT"]
    assert [e.mode for e in consult] == ["asserted"], consult


def test_a_headline_plan_needs_its_infinitive_at_or_before_the_trigger() -> None:
    from eurasiawatch.annotate import annotate_text

    def modes(text: str) -> list[tuple[str, str]]:
        found = annotate_text(text, language="en", published="2024-07-03T08:00:00+00:00").events
        return [(e.type, e.mode) for e in found]

    # the agreement is reported; only what it is for lies ahead
    assert modes("Kazakhstan agreed with China to build a solar plant") == [("AGREE", "asserted")]
    # the headline's infinitive carries the trigger: a plan
    assert modes("China and Serbia to sign free trade deal") == [("AGREE", "planned")]
    assert modes("Xi to visit Serbia") == [("CONSULT", "planned")]


def test_a_note_after_the_full_stop_does_not_make_a_sentence_a_headline() -> None:
    from eurasiawatch.annotate import annotate_text

    text = "Kazakhstan agreed with China to build a solar plant on Wednesday. (#12)"
    found = annotate_text(text, language="en", published="2024-07-04T08:00:00+00:00").events
    assert [(e.type, e.mode, e.date) for e in found] == [("AGREE", "asserted", "2024-07-03")]
