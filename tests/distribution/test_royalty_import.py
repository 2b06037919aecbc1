"""Importing a distributor's report (shared/API.md, POST /api/v1/royalties/import): staff only,
streamed, per-line report, re-imports add nothing, repeated lines still count."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from apps.accounts.models import AuditLog
from apps.distribution import services
from apps.distribution.models import (
    PlatformCoverage,
    RoyaltyImport,
    RoyaltyLine,
    RoyaltyShare,
    TrackIsrc,
)
from tests.conftest import bearer_client, staff_bearer_client
from tests.distribution.factories import (
    DistributableTrackFactory,
    earned,
    import_report,
    paid_creator,
    report,
    report_line,
    with_isrc,
)

URL = "/api/v1/royalties/import"
ISRC = "FRZ032600001"
OTHER_ISRC = "FRZ032600002"


def _upload(client, content: bytes, name="report.tsv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content)}, format="multipart")


@pytest.fixture
def owned_track(db):
    user = paid_creator()
    return with_isrc(DistributableTrackFactory(owner=user), ISRC)


@pytest.mark.django_db
def test_staff_import_a_report_and_get_its_report(staff_user, owned_track):
    content = report(
        report_line(ISRC, "1.25", store="Spotify"),
        report_line(ISRC, "0.0034", store="iTunes", country="US"),
        report_line(OTHER_ISRC, "2.00", store="Deezer"),
    )

    response = _upload(staff_bearer_client(staff_user), content)

    assert response.status_code == 201, response.content
    body = response.json()
    record = RoyaltyImport.objects.get()
    assert {key: body[key] for key in body if key not in ("id", "created_at", "sha256")} == {
        "file_name": "report.tsv",
        "size": len(content),
        "lines_total": 3,
        "lines_imported": 3,
        "lines_duplicate": 0,
        "lines_unmatched": 1,
        "lines_error": 0,
        "errors": [],
        "already_imported": False,
    }
    assert body["id"] == str(record.pk)
    lines = list(
        RoyaltyLine.objects.order_by("line_number").values_list(
            "line_number",
            "platform",
            "store",
            "country",
            "isrc",
            "earnings",
            "track_id",
            "payee_id",
            "is_split",
        )
    )
    owner = owned_track.owner_id
    assert lines == [
        (2, "spotify", "Spotify", "FR", ISRC, Decimal("1.25"), owned_track.pk, owner, False),
        (3, "apple_music", "iTunes", "US", ISRC, Decimal("0.0034"), owned_track.pk, owner, False),
        (4, "deezer", "Deezer", "FR", OTHER_ISRC, Decimal("2.00"), None, None, False),
    ]
    assert not RoyaltyShare.objects.exists()  # no split: the owner is paid each line whole
    assert earned(owned_track.owner) == Decimal("1.2534")
    audit = AuditLog.objects.get(action="royalty.import")
    assert audit.actor_id == staff_user.pk
    assert audit.metadata["imported"] == 3
    assert dict(PlatformCoverage.objects.values_list("platform", "reported_through")) == {
        "spotify": date(2026, 1, 1),
        "apple_music": date(2026, 1, 1),
        "deezer": date(2026, 1, 1),
    }


@pytest.mark.django_db
def test_importing_the_same_file_again_adds_nothing(staff_user, owned_track):
    content = report(report_line(ISRC, "1.00"), report_line(ISRC, "2.00", country="DE"))
    client = staff_bearer_client(staff_user)
    first = _upload(client, content)

    again = _upload(client, content, name="renamed.tsv")

    assert again.status_code == 200
    assert again.json()["already_imported"] is True
    assert again.json()["id"] == first.json()["id"]
    assert RoyaltyImport.objects.count() == 1
    assert RoyaltyLine.objects.count() == 2
    assert earned(owned_track.owner) == Decimal("3.00")


@pytest.mark.django_db
def test_a_re_export_of_the_same_lines_counts_them_as_duplicates(owned_track):
    import_report(report(report_line(ISRC, "1.00"), report_line(ISRC, "2.00", country="DE")))
    # the same report, re-exported: other line endings, lines reordered, one new line
    re_export = report(
        report_line(ISRC, "2.00", country="DE"), report_line(ISRC, "1.00"), report_line(ISRC, "3")
    ).replace(b"\n", b"\r\n")

    result = import_report(re_export)

    record = result.royalty_import
    assert result.created is True
    assert (record.lines_total, record.lines_imported, record.lines_duplicate) == (3, 1, 2)
    assert RoyaltyLine.objects.count() == 3
    assert earned(owned_track.owner) == Decimal("6.00")


@pytest.mark.django_db
def test_identical_lines_inside_one_file_are_all_counted_and_stay_counted(owned_track):
    line = report_line(ISRC, "0.50")
    first = import_report(report(line, line, line)).royalty_import
    # a later report repeats the same three and a fourth identical line
    second = import_report(report(line, line, line, line, report_line(ISRC, "9"))).royalty_import

    assert (first.lines_imported, first.lines_duplicate) == (3, 0)
    assert (second.lines_imported, second.lines_duplicate) == (2, 3)
    assert sorted(
        RoyaltyLine.objects.filter(earnings=Decimal("0.5")).values_list("occurrence", flat=True)
    ) == [1, 2, 3, 4]
    assert earned(owned_track.owner) == Decimal("11.00")


@pytest.mark.django_db
def test_invalid_lines_are_skipped_and_reported_with_their_line_numbers(owned_track):
    content = report(
        report_line(ISRC, "1.00"),
        report_line("NOTANISRC", "1.00"),
        report_line(ISRC, "abc", sale_month="2026-13"),
        report_line(ISRC, "1.00", country="France", currency="US"),
        report_line(ISRC, "2.00"),
    )

    record = import_report(content).royalty_import

    assert (record.lines_total, record.lines_imported, record.lines_error) == (5, 2, 3)
    assert record.errors == [
        {"line": 3, "errors": {"isrc": ["Not an ISRC (CC-XXX-YY-NNNNN)."]}},
        {
            "line": 4,
            "errors": {
                "sale_month": ["month must be in 1..12"],
                "earnings": ["A decimal amount, e.g. 0.0042."],
            },
        },
        {
            "line": 5,
            "errors": {
                "country": ["A two-letter country code."],
                "currency": ["A three-letter currency code."],
            },
        },
    ]


@pytest.mark.django_db
def test_a_csv_with_other_column_names_and_no_currency_is_in_us_dollars(owned_track):
    content = (
        "Sale Month,Store,Title,ISRC,Quantity,Earnings (USD)\n"
        f'2026-02,Apple Music,"Song, with comma",{ISRC},"1,200",3.5\n'
    ).encode()

    record = import_report(content, name="tunecore.csv").royalty_import

    line = RoyaltyLine.objects.get()
    assert record.lines_imported == 1
    assert (line.platform, line.title, line.quantity, line.earnings, line.currency) == (
        "apple_music",
        "Song, with comma",
        1200,
        Decimal("3.5"),
        "USD",
    )
    assert line.sale_month == date(2026, 2, 1)


@pytest.mark.django_db
def test_a_report_without_the_required_columns_is_refused(staff_user):
    response = _upload(staff_bearer_client(staff_user), b"Store\tTitle\nSpotify\tX\n")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "VALIDATION_ERROR",
        "message": "The report lacks required columns.",
        "details": {"file": ["Missing column(s): sale_month, isrc, earnings."]},
    }
    assert not RoyaltyImport.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_and_leaves_nothing(staff_user):
    content = report(report_line(ISRC)) + b"\xff\xfe\x00bad"

    response = _upload(staff_bearer_client(staff_user), content)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert not RoyaltyImport.objects.exists()
    assert not RoyaltyLine.objects.exists()


@pytest.mark.django_db
def test_only_staff_with_a_two_factor_login_may_import(staff_user, user):
    content = report(report_line(ISRC))

    creator = _upload(bearer_client(user), content)
    password_only = _upload(bearer_client(staff_user), content)

    assert creator.status_code == 403
    assert creator.json()["error"]["code"] == "PERMISSION_DENIED"
    assert password_only.status_code == 403
    assert password_only.json()["error"]["code"] == "TWO_FACTOR_LOGIN_REQUIRED"
    assert not RoyaltyImport.objects.exists()


@pytest.mark.django_db
def test_unmatched_lines_wait_in_the_queue_and_are_matched_later(staff_user):
    import_report(
        report(report_line(OTHER_ISRC, "4.00"), report_line(OTHER_ISRC, "1.00", "Deezer"))
    )
    assert RoyaltyLine.objects.filter(track__isnull=True).count() == 2
    user = paid_creator()
    track = with_isrc(DistributableTrackFactory(owner=user), OTHER_ISRC)

    matched = services.royalty_lines_match(
        line_ids=list(RoyaltyLine.objects.values_list("pk", flat=True)), actor=staff_user
    )

    assert matched == 2
    assert set(RoyaltyLine.objects.values_list("track_id", flat=True)) == {track.pk}
    assert earned(user) == Decimal("5.00")
    assert AuditLog.objects.get(action="royalty.lines_match").metadata == {
        "lines": 2,
        "track_id": None,
        "by": "isrc",
    }


@pytest.mark.django_db
def test_staff_assign_unmatched_lines_to_a_track(staff_user):
    import_report(report(report_line("USABC2600009", "2.50")))
    user = paid_creator()
    track = DistributableTrackFactory(owner=user)

    matched = services.royalty_lines_match(
        line_ids=list(RoyaltyLine.objects.values_list("pk", flat=True)),
        track=track,
        actor=staff_user,
    )

    assert matched == 1
    assert RoyaltyLine.objects.get().payee_id == user.pk
    assert not TrackIsrc.objects.exists()  # the line is matched, the track's ISRC untouched


@pytest.mark.django_db(transaction=True)
def test_the_same_report_imported_twice_at_once_is_imported_once():
    content = report(*(report_line(ISRC, f"{n}.00") for n in range(50)))
    start = threading.Barrier(2)
    results = []

    def worker():
        try:
            start.wait()
            results.append(import_report(content).created)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, True]
    assert RoyaltyImport.objects.count() == 1
    assert RoyaltyLine.objects.count() == 50
