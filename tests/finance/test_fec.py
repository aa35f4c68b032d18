"""``flask export fec``: the sellers' ledger as a FEC (article A47 A-1 LPF): its 18 columns in
order, tab-separated, two lines per ledger entry, every entry balanced, accounts by kind."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from storefront.marketplace import billing, fec
from tests.finance.billing_fixtures import K, entry, onboarded_seller, paris, retailer, sale


def cents(text: str) -> int:
    return int(Decimal(text.replace(",", ".")) * 100)


def test_the_fec_has_its_18_columns_and_every_entry_balances(app, session, tmp_path):
    retailer(session)
    alpha = onboarded_seller(session, "alpha")
    sale(session, alpha, paris(2026, 11, 3, 10), price=12_345, commission=1_481)
    entry(session, alpha, K.SHIPPING_FEE, 490, paris(2026, 11, 3, 10))
    entry(session, alpha, K.REFUND, -2_000, paris(2026, 11, 4, 9))
    entry(session, alpha, K.COMMISSION_REFUND, 240, paris(2026, 11, 4, 9))
    entry(session, alpha, K.ADJUSTMENT, -500, paris(2026, 11, 5, 9), reference="litige 42")
    entry(session, alpha, K.ADJUSTMENT, 300, paris(2026, 11, 5, 9))
    entry(session, alpha, K.PAYOUT, -5_000, paris(2026, 11, 20, 9))
    entry(session, alpha, K.CAPTURE, 9_999, paris(2026, 12, 1, 0, 30))  # December: outside
    session.commit()
    billing.close_ended_periods(session, paris(2026, 11, 16, 1))  # writes the commissions' VAT
    session.commit()

    path = tmp_path / "fec.txt"
    result = app.test_cli_runner().invoke(args=["export", "fec", "--from", "2026-11-01", "--to", "2026-11-30",
                                                "--output", str(path)])
    assert result.exit_code == 0, result.output
    raw = path.read_bytes()
    assert b"\r\n" in raw and raw.decode("utf-8")
    header, *lines = [line.split("\t") for line in raw.decode("utf-8").split("\r\n") if line]
    assert tuple(header) == fec.COLUMNS and len(header) == 18
    assert all(len(line) == 18 for line in lines)
    by_number = defaultdict(list)
    for line in lines:
        by_number[line[2]].append(line)
    assert len(by_number) == 10 and all(len(pair) == 2 for pair in by_number.values())  # 8 + 2 VAT entries
    for number, pair in by_number.items():
        assert sum(cents(line[11]) for line in pair) == sum(cents(line[12]) for line in pair) > 0, number
        assert {line[3] for line in pair} <= {"20261103", "20261104", "20261105", "20261116", "20261120"}

    def accounts(kind_label: str) -> list[tuple[str, str, str]]:
        return [(line[4], line[11], line[12]) for line in lines if line[10].startswith(kind_label)]

    # A sale: the provider's account debited, the seller's credited, in cents with a comma.
    assert accounts("Vente encaissée") == [("512100", "123,45", "0,00"), ("467000", "0,00", "123,45")]
    assert accounts("Commission alpha") == [("467000", "14,81", "0,00"), ("706000", "0,00", "14,81")]
    assert accounts("TVA sur commission") == [  # 20 % of 14,81 invoiced, of 2,40 given back
        ("467000", "2,96", "0,00"), ("445710", "0,00", "2,96"), ("445710", "0,48", "0,00"), ("467000", "0,00", "0,48")]
    assert accounts("Reversement vendeur") == [("467000", "50,00", "0,00"), ("512000", "0,00", "50,00")]
    assert [line[4] for line in lines if line[10].startswith("Ajustement")] == ["467000", "758000", "658000", "467000"]
    # The seller is the auxiliary account of its lines, the piece is the document or the entry.
    seller_lines = [line for line in lines if line[4] == "467000"]
    assert {(line[6], line[7]) for line in seller_lines} == {("alpha", "Alpha SARL")}
    assert "litige 42" in {line[8] for line in lines}
    assert any(line[8].startswith("FC-2026-") for line in lines)
    assert sum(cents(line[11]) for line in lines) == sum(cents(line[12]) for line in lines)


def test_the_file_is_named_after_the_siren_and_closing_date_and_bad_dates_are_refused(app, session, tmp_path,
                                                                                       monkeypatch):
    retailer(session)
    session.commit()
    monkeypatch.chdir(tmp_path)
    result = app.test_cli_runner().invoke(args=["export", "fec", "--from", "2026-01-01", "--to", "2026-12-31"])
    assert result.exit_code == 0, result.output
    [written] = list(tmp_path.glob("*FEC20261231.txt"))
    assert written.read_bytes().decode("utf-8").split("\r\n")[0].split("\t") == list(fec.COLUMNS)
    assert len(written.name.split("FEC")[0]) == 9
    refused = app.test_cli_runner().invoke(args=["export", "fec", "--from", "2026-12-31", "--to", "2026-01-01"])
    assert refused.exit_code != 0 and "before" in refused.output
    nonsense = app.test_cli_runner().invoke(args=["export", "fec", "--from", "hier", "--to", "2026-01-01"])
    assert nonsense.exit_code != 0
