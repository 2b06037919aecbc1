"""The caller's royalties (shared/API.md, GET /api/v1/royalties) and splits: versions by sale
month, largest-remainder arithmetic, past statements that never change."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.accounts.models import AuditLog
from apps.distribution import services
from apps.distribution.models import RoyaltyLine, RoyaltyShare, RoyaltySplit
from tests.catalog.factories import CreatorFactory
from tests.conftest import bearer_client
from tests.distribution.factories import (
    DistributableTrackFactory,
    import_report,
    paid_creator,
    report,
    report_line,
    with_isrc,
)

URL = "/api/v1/royalties"
SPLITS = "/api/v1/royalties/splits"
D = Decimal


# --- Arithmetic --------------------------------------------------------------------------


def test_one_cent_split_three_ways_goes_to_the_largest_remainder():
    assert services.split_minor_units(1, [D("33.33"), D("33.33"), D("33.34")]) == [0, 0, 1]
    assert services.split_amount(D("0.01"), [D("33.33"), D("33.33"), D("33.34")]) == [
        D("0.00"),
        D("0.00"),
        D("0.01"),
    ]


def test_a_dollar_split_in_thirds_adds_up_exactly():
    assert services.split_amount(D("1.00"), [D("33.33"), D("33.33"), D("33.34")]) == [
        D("0.33"),
        D("0.33"),
        D("0.34"),
    ]


def test_ties_go_to_the_first_named_and_negative_lines_split_like_positive_ones():
    assert services.split_minor_units(1, [D(50), D(50)]) == [1, 0]
    assert services.split_amount(D("-0.05"), [D(50), D(50)]) == [D("-0.03"), D("-0.02")]


def test_fractions_of_a_cent_are_split_in_the_lines_own_precision():
    shares = services.split_amount(D("0.0034"), [D("33.33"), D("33.33"), D("33.34")])

    assert shares == [D("0.0011"), D("0.0011"), D("0.0012")]
    assert sum(shares) == D("0.0034")


@given(
    cents=st.integers(min_value=-(10**9), max_value=10**9),
    weights=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=8),
)
def test_shares_always_add_up_to_the_line(cents, weights):
    # percentages with two decimals summing to exactly 100.00
    basis = [w * 10_000 // sum(weights) for w in weights]
    basis[0] += 10_000 - sum(basis)
    percents = [D(b).scaleb(-2) for b in basis]
    if any(p <= 0 for p in percents):
        return
    amount = D(cents).scaleb(-4)

    shares = services.split_amount(amount, percents)

    assert sum(shares) == amount
    assert all(abs(share) <= abs(amount) for share in shares)


# --- Splits ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_owner_shares_a_track_from_a_sale_month_on_and_past_months_keep_their_split():
    owner, singer = paid_creator(), CreatorFactory()
    track = with_isrc(DistributableTrackFactory(owner=owner), "FRZ032600001")
    import_report(report(report_line("FRZ032600001", "10.00", sale_month="2026-01")))

    response = bearer_client(owner).post(
        SPLITS,
        {
            "track": str(track.pk),
            "effective_from": "2026-02-15",
            "shares": [
                {"user": str(owner.pk), "percent": "33.33"},
                {"user": str(singer.pk), "percent": "33.33"},
                {"user": str(CreatorFactory().pk), "percent": "33.34"},
            ],
        },
        format="json",
    )
    import_report(
        report(
            report_line("FRZ032600001", "0.01", sale_month="2026-02"),
            report_line("FRZ032600001", "10.00", sale_month="2026-01", country="DE"),
        )
    )

    assert response.status_code == 201, response.content
    assert response.json()["effective_from"] == "2026-02-01"
    january = RoyaltyLine.objects.filter(sale_month=date(2026, 1, 1))
    assert set(january.values_list("payee_id", "is_split", "earnings")) == {
        (owner.pk, False, D("10.00"))
    }
    assert not RoyaltyShare.objects.filter(sale_month=date(2026, 1, 1)).exists()
    february = RoyaltyShare.objects.filter(sale_month=date(2026, 2, 1)).order_by("amount")
    assert list(february.values_list("amount", flat=True)) == [D("0"), D("0"), D("0.01")]
    assert sum(february.values_list("amount", flat=True)) == D("0.01")
    assert AuditLog.objects.filter(action="royalty.split_create").count() == 1


@pytest.mark.django_db
def test_a_split_may_not_start_in_a_month_already_split():
    owner = paid_creator()
    track = with_isrc(DistributableTrackFactory(owner=owner), "FRZ032600001")
    import_report(report(report_line("FRZ032600001", "1.00", sale_month="2026-03")))

    response = bearer_client(owner).post(
        SPLITS,
        {
            "track": str(track.pk),
            "effective_from": "2026-03-01",
            "shares": [{"user": str(owner.pk), "percent": "100"}],
        },
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "STATEMENTS_EXIST"
    assert response.json()["error"]["details"] == {
        "effective_from": ["Choose a month after 2026-03."]
    }
    assert not RoyaltySplit.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "shares",
    [
        [("owner", "60"), ("other", "30")],
        [("owner", "50"), ("owner", "50")],
        [("owner", "100.01")],
    ],
)
def test_percentages_must_add_up_to_100_once_per_person(shares):
    owner, other = paid_creator(), CreatorFactory()
    people = {"owner": owner, "other": other}
    track = DistributableTrackFactory(owner=owner)

    response = bearer_client(owner).post(
        SPLITS,
        {
            "track": str(track.pk),
            "effective_from": "2026-05-01",
            "shares": [{"user": str(people[who].pk), "percent": p} for who, p in shares],
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert not RoyaltySplit.objects.exists()


@pytest.mark.django_db
def test_only_the_owner_splits_a_track():
    track = DistributableTrackFactory()
    stranger = paid_creator()

    response = bearer_client(stranger).post(
        SPLITS,
        {
            "track": str(track.pk),
            "effective_from": "2026-05-01",
            "shares": [{"user": str(stranger.pk), "percent": "100"}],
        },
        format="json",
    )

    assert response.status_code == 404
    assert not RoyaltySplit.objects.exists()


@pytest.mark.django_db
def test_collaborators_see_the_splits_they_are_in():
    owner, singer = paid_creator(), CreatorFactory()
    track = DistributableTrackFactory(owner=owner)
    services.royalty_split_create(
        track=track,
        actor=owner,
        shares=[
            services.ShareSpec(user_id=owner.pk, percent=D(70)),
            services.ShareSpec(user_id=singer.pk, percent=D(30)),
        ],
        effective_from=date(2026, 4, 1),
    )

    body = bearer_client(singer).get(SPLITS).json()

    assert body["count"] == 1
    assert body["results"][0]["shares"] == [
        {"user": str(owner.pk), "username": owner.username, "percent": "70.00"},
        {"user": str(singer.pk), "username": singer.username, "percent": "30.00"},
    ]
    assert bearer_client(CreatorFactory()).get(SPLITS).json()["count"] == 0


# --- GET /royalties ----------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    """Two creators' tracks and one report: the owner has two tracks, a collaborator 25 % of
    the second from February, and a stranger a track of their own."""
    owner, singer, stranger = paid_creator(), CreatorFactory(), paid_creator()
    first = with_isrc(DistributableTrackFactory(owner=owner, title="First"), "FRZ032600001")
    second = with_isrc(DistributableTrackFactory(owner=owner, title="Second"), "FRZ032600002")
    with_isrc(DistributableTrackFactory(owner=stranger), "FRZ032600003")
    services.royalty_split_create(
        track=second,
        actor=owner,
        shares=[
            services.ShareSpec(user_id=owner.pk, percent=D(75)),
            services.ShareSpec(user_id=singer.pk, percent=D(25)),
        ],
        effective_from=date(2026, 2, 1),
    )
    import_report(
        report(
            report_line("FRZ032600001", "1.10", store="Spotify", sale_month="2026-01"),
            report_line("FRZ032600001", "0.0042", store="Deezer", sale_month="2026-02"),
            report_line(
                "FRZ032600002", "2.00", store="Spotify", sale_month="2026-02", country="US"
            ),
            report_line(
                "FRZ032600002", "3.00", store="Spotify", sale_month="2026-03", currency="EUR"
            ),
            report_line("FRZ032600003", "500.00", store="Spotify", sale_month="2026-03"),
        )
    )
    return {
        "owner": owner,
        "singer": singer,
        "stranger": stranger,
        "first": first,
        "second": second,
    }


@pytest.mark.django_db
def test_royalties_by_platform_per_currency_with_reported_through(catalogue):
    response = bearer_client(catalogue["owner"]).get(URL, {"group_by": "platform"})

    assert response.status_code == 200
    body = response.json()
    assert body["group_by"] == "platform"
    assert body["totals"] == [
        {
            "key": None,
            "label": "",
            "currency": "EUR",
            "earnings": "2.25",
            "quantity": 100,
            "lines": 1,
        },
        {
            "key": None,
            "label": "",
            "currency": "USD",
            "earnings": "2.6042",
            "quantity": 300,
            "lines": 3,
        },
    ]
    assert [(g["key"], g["label"], g["currency"], g["earnings"]) for g in body["groups"]] == [
        ("deezer", "Deezer", "USD", "0.0042"),
        ("spotify", "Spotify", "EUR", "2.25"),
        ("spotify", "Spotify", "USD", "2.60"),
    ]
    assert body["reported_through"] == [
        {"platform": "deezer", "reported_through": "2026-02-01"},
        {"platform": "spotify", "reported_through": "2026-03-01"},
    ]


@pytest.mark.django_db
def test_royalties_by_track_month_and_country(catalogue):
    client = bearer_client(catalogue["owner"])

    by_track = client.get(URL, {"group_by": "track"}).json()["groups"]
    by_month = client.get(URL, {"group_by": "month"}).json()["groups"]
    by_country = client.get(URL, {"group_by": "country", "from": "2026-02-01"}).json()["groups"]

    second = str(catalogue["second"].pk)
    assert {(g["label"], g["currency"], g["earnings"]) for g in by_track} == {
        ("First", "USD", "1.1042"),
        ("Second", "USD", "1.50"),
        ("Second", "EUR", "2.25"),
    }
    assert second in {g["key"] for g in by_track}
    assert [(g["key"], g["currency"], g["earnings"]) for g in by_month] == [
        ("2026-01", "USD", "1.10"),
        ("2026-02", "USD", "1.5042"),
        ("2026-03", "EUR", "2.25"),
    ]
    assert [(g["key"], g["currency"], g["earnings"]) for g in by_country] == [
        ("FR", "EUR", "2.25"),
        ("FR", "USD", "0.0042"),
        ("US", "USD", "1.50"),
    ]


@pytest.mark.django_db
def test_a_collaborator_sees_only_their_share_and_a_stranger_only_their_own(catalogue):
    singer = bearer_client(catalogue["singer"]).get(URL).json()
    stranger = bearer_client(catalogue["stranger"]).get(URL, {"to": "2026-02-28"}).json()
    stranger_all = bearer_client(catalogue["stranger"]).get(URL).json()

    assert [(t["currency"], t["earnings"]) for t in singer["totals"]] == [
        ("EUR", "0.75"),
        ("USD", "0.50"),
    ]
    assert stranger["totals"] == []
    assert [(t["currency"], t["earnings"]) for t in stranger_all["totals"]] == [("USD", "500.00")]


@pytest.mark.django_db
def test_bad_royalty_queries_are_validation_errors(catalogue):
    client = bearer_client(catalogue["owner"])

    for params in (
        {"group_by": "artist"},
        {"from": "2026-13-01"},
        {"from": "2026-03-01", "to": "2026-01-01"},
    ):
        response = client.get(URL, params)
        assert response.status_code == 400, params
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_the_royalties_query_count_does_not_grow_with_lines(django_assert_num_queries, rows):
    owner = paid_creator()
    track = with_isrc(DistributableTrackFactory(owner=owner), "FRZ032600001")
    import_report(
        report(*(report_line("FRZ032600001", f"{n}.00", country="FR") for n in range(rows)))
    )
    assert RoyaltyLine.objects.count() == rows
    client = bearer_client(owner)

    with django_assert_num_queries(5):  # user, totals, groups, track titles, coverage
        response = client.get(URL, {"group_by": "track"})

    assert response.json()["groups"][0]["key"] == str(track.pk)


@pytest.mark.django_db
def test_statements_of_a_deleted_track_stay(catalogue):
    owner = catalogue["owner"]
    catalogue["first"].delete()

    body = bearer_client(owner).get(URL, {"group_by": "track"}).json()

    assert ("", "", "USD", "1.1042") in {
        (g["key"], g["label"], g["currency"], g["earnings"]) for g in body["groups"]
    }
    assert [(t["currency"], t["earnings"]) for t in body["totals"]] == [
        ("EUR", "2.25"),
        ("USD", "2.6042"),
    ]


@pytest.mark.django_db
def test_a_line_matched_later_is_split_with_the_version_of_its_sale_month(staff_user):
    import_report(report(report_line("FRZ032600007", "1.00", sale_month="2026-06")))
    owner, singer = paid_creator(), CreatorFactory()
    track = with_isrc(DistributableTrackFactory(owner=owner), "FRZ032600007")
    services.royalty_split_create(
        track=track,
        actor=owner,
        shares=[
            services.ShareSpec(user_id=owner.pk, percent=D("33.33")),
            services.ShareSpec(user_id=singer.pk, percent=D("66.67")),
        ],
        effective_from=date(2026, 5, 1),
    )

    services.royalty_lines_match(
        line_ids=list(RoyaltyLine.objects.values_list("pk", flat=True)), actor=staff_user
    )

    line = RoyaltyLine.objects.get()
    assert (line.track_id, line.payee_id, line.is_split) == (track.pk, owner.pk, True)
    assert dict(RoyaltyShare.objects.values_list("user_id", "amount")) == {
        owner.pk: D("0.33"),
        singer.pk: D("0.67"),
    }
