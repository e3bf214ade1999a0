"""Corroboration: how the articles of a change's day make up its confidence (pure, no database)."""

from __future__ import annotations

import pytest

from tracker.catalogue import load_catalogue
from tracker.model import Support
from tracker.timeline.corroboration import CorroborationPolicy, corroborate

POLICY = CorroborationPolicy(official_domains=load_catalogue().official_hosts)

WIRE_TEXT = (
    "India and China agreed on Monday to resume the Kailash Mansarovar Yatra this summer, the Ministry of "
    "External Affairs said after Foreign Secretary Vikram Misri held talks with Vice Foreign Minister Sun "
    "Weidong in Beijing. The two sides also agreed in principle to resume direct air services, and technical "
    "authorities will meet soon to negotiate an updated framework for the flights, officials said."
)
# The same wire story as another outlet ran it: a few words changed, nothing added.
SYNDICATED_TEXT = (
    WIRE_TEXT.replace("on Monday", "on 27 January")
    .replace("officials said", "an official said")
    .replace("will meet soon", "will meet shortly")
)
OTHER_TEXT = (
    "Pilgrims from India will once again travel to Mount Kailash and Lake Mansarovar this year. A statement "
    "from Beijing said the pilgrimage would be organised through Lipulekh and Nathu La in the summer months, "
    "and both governments would work out the practical arrangements in the weeks ahead."
)


def support(
    url: str = "https://news.example.org/2025/01/27/yatra",
    confidence: float = 0.8,
    text: str = WIRE_TEXT,
    source_name: str = "Example News",
    title: str = "India and China agree to resume the yatra",
    evidence: str = "India and China agreed on Monday to resume the Kailash Mansarovar Yatra this summer.",
) -> Support:
    return Support(url=url, source_name=source_name, title=title, evidence=evidence, confidence=confidence, text=text)


def test_one_support_weighs_its_statement_by_the_other_weight() -> None:
    result = corroborate([support(confidence=0.8)], POLICY)
    assert result.confidence == pytest.approx(0.9 * 0.8)
    assert result.confidence == 0.72
    assert result.confirmed is True
    assert len(result.sources) == 1


def test_no_support_gives_no_confidence() -> None:
    result = corroborate([], POLICY)
    assert (result.confidence, result.confirmed, result.sources) == (0.0, False, ())


def test_an_official_source_weighs_one_and_is_flagged() -> None:
    url = "https://www.mea.gov.in/press-releases.htm?dtl/38937/Foreign_Secretarys_visit_to_Beijing"
    result = corroborate([support(url=url, confidence=0.8)], POLICY)
    assert result.confidence == 0.8
    assert result.sources[0]["official"] is True
    assert result.sources[0]["url"] == url


@pytest.mark.parametrize(
    "url",
    [
        "https://mea.gov.in/press-releases.htm",
        "https://www.fmprc.gov.cn/eng/xw/",
        "http://PIB.GOV.IN/PressReleasePage.aspx?PRID=1",
        "https://www.mea.gov.in:443/media-briefings.htm",
    ],
)
def test_official_domains_and_their_subdomains_are_official(url: str) -> None:
    assert POLICY.is_official(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://mea.gov.in.example.com/press-releases.htm",
        "https://notmea.gov.in/press-releases.htm",
        "https://example.com/mea.gov.in",
        "https://example.com/?ref=www.mea.gov.in",
        "mea.gov.in/press-releases.htm",
        "",
    ],
)
def test_look_alike_hosts_are_not_official(url: str) -> None:
    assert not POLICY.is_official(url)


def test_a_look_alike_host_weighs_as_any_other_source() -> None:
    result = corroborate([support(url="https://mea.gov.in.example.com/press", confidence=0.8)], POLICY)
    assert result.confidence == 0.72
    assert result.sources[0]["official"] is False


def test_two_independent_articles_combine_by_noisy_or() -> None:
    a, b = 0.9 * 0.8, 0.9 * 0.5
    result = corroborate(
        [
            support(confidence=0.8),
            support(url="https://daily.example.net/yatra", confidence=0.5, text=OTHER_TEXT, source_name="Daily"),
        ],
        POLICY,
    )
    assert result.confidence == round(1 - (1 - a) * (1 - b), 2) == 0.85
    assert [s["url"] for s in result.sources] == [
        "https://news.example.org/2025/01/27/yatra",
        "https://daily.example.net/yatra",
    ]


def test_an_official_and_an_other_source_combine() -> None:
    result = corroborate(
        [
            support(url="https://www.mea.gov.in/press", confidence=0.6, text=OTHER_TEXT),
            support(confidence=0.5),
        ],
        POLICY,
    )
    assert result.confidence == round(1 - (1 - 1.0 * 0.6) * (1 - 0.9 * 0.5), 2) == 0.78
    assert [s["official"] for s in result.sources] == [True, False]


def test_a_syndicated_copy_counts_once_by_the_surer_copy_and_both_are_listed() -> None:
    weaker = support(url="https://wire.example.org/yatra", confidence=0.6, source_name="Wire")
    surer = support(
        url="https://paper.example.com/yatra", confidence=0.8, text=SYNDICATED_TEXT, source_name="The Paper"
    )
    for order in ([weaker, surer], [surer, weaker]):
        result = corroborate(order, POLICY)
        assert result.confidence == 0.72, order
        # The surer copy counts; the other outlet is still listed, flagged as its copy.
        assert [(s["source_name"], s["copy"], s["copy_of"]) for s in result.sources] == [
            ("The Paper", False, None),
            ("Wire", True, "https://paper.example.com/yatra"),
        ]
        assert result.sources[0]["url"] == "https://paper.example.com/yatra"


def test_a_syndicated_copy_does_not_swallow_an_independent_article() -> None:
    result = corroborate(
        [
            support(url="https://wire.example.org/yatra", confidence=0.6),
            support(url="https://paper.example.com/yatra", confidence=0.8, text=SYNDICATED_TEXT),
            support(url="https://daily.example.net/yatra", confidence=0.5, text=OTHER_TEXT),
        ],
        POLICY,
    )
    assert result.confidence == round(1 - (1 - 0.72) * (1 - 0.45), 2)
    assert [(s["url"], s["copy"]) for s in result.sources] == [
        ("https://paper.example.com/yatra", False),
        ("https://wire.example.org/yatra", True),
        ("https://daily.example.net/yatra", False),
    ]


@pytest.mark.parametrize(("threshold", "confirmed"), [(0.71, True), (0.72, True), (0.73, False)])
def test_the_threshold_decides_confirmed_at_the_boundary(threshold: float, confirmed: bool) -> None:
    policy = CorroborationPolicy(official_domains=POLICY.official_domains, threshold=threshold)
    result = corroborate([support(confidence=0.8)], policy)
    assert result.confidence == 0.72
    assert result.confirmed is confirmed


def test_the_default_threshold_leaves_a_weak_single_report_unconfirmed() -> None:
    result = corroborate([support(confidence=0.6)], POLICY)
    assert result.confidence == 0.54
    assert result.confirmed is False


def test_sources_keep_what_the_digest_shows() -> None:
    evidence = "The two sides also agreed in principle to resume direct air services."
    result = corroborate(
        [
            support(
                url="https://www.mea.gov.in/press-releases.htm?dtl/1",
                source_name="Ministry of External Affairs",
                title="Foreign Secretary's visit to Beijing",
                evidence=evidence,
            )
        ],
        POLICY,
    )
    assert result.sources == (
        {
            "url": "https://www.mea.gov.in/press-releases.htm?dtl/1",
            "source_name": "Ministry of External Affairs",
            "title": "Foreign Secretary's visit to Beijing",
            "official": True,
            "evidence": evidence,
            "copy": False,
            "copy_of": None,
        },
    )


def test_three_outlets_of_one_story_count_once_and_are_all_listed() -> None:
    edited = WIRE_TEXT.replace("officials said.", "a spokesperson told reporters in Beijing on Tuesday.")
    result = corroborate(
        [
            support(url="https://wire.example.org/yatra", confidence=0.8, source_name="Wire"),
            support(url="https://paper.example.com/yatra", confidence=0.8, text=SYNDICATED_TEXT, source_name="Paper"),
            support(url="https://daily.example.net/yatra", confidence=0.8, text=edited, source_name="Daily"),
        ],
        POLICY,
    )
    assert result.confidence == corroborate([support(confidence=0.8)], POLICY).confidence == 0.72
    assert sorted(s["source_name"] for s in result.sources) == ["Daily", "Paper", "Wire"]
    (counted,) = [s for s in result.sources if not s["copy"]]
    assert result.sources[0] == counted
    assert {s["copy_of"] for s in result.sources if s["copy"]} == {counted["url"]}
