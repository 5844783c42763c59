"""The compliance computation of `dangjian compliance`, written for DuckDB over Parquet.

    python bench/duckdb_compliance.py export SQLITE_FILE PARQUET_DIR
    python bench/duckdb_compliance.py judge PARQUET_DIR RULES_TOML YEAR AS_OF > counts.json

`export` writes the columns the rules read, one Parquet file per table (through the
sqlite3 command-line shell's CSV output; not timed). `judge` computes, per rule, how many
organisations it applies to and how many break it, with the numbers of the same rules
file, and prints `{"seconds": …, "rules": [{"id", "orgs_applicable", "orgs_failing"}]}`.
The rule definitions mirror crates/domain/src/compliance.rs and development.rs; the
benchmark script compares the counts with dangjian's, so a divergence is caught.
"""
import datetime as dt
import json
import os
import subprocess
import sys
import time
import tomllib

import duckdb

TABLES = {
    "orgs": "id, level, path, elected_on, term_years, dissolved_on",
    "members": "id, org_id, joined_on, full_on, left_on",
    "committee_posts": "org_id, member_id, end_on",
    "meetings": "id, org_id, kind, held_on",
    "attendance": "meeting_id, member_id, present, held_on",
    "units": "owner_org_id, full_members, coverage",
    "dues_payments": "member_id, org_id, from_month, to_month, catch_up",
    "training_records": "member_id, org_id, taken_on, hours",
    "transfers": "org_id, direction, issued_on, valid_days, received_on",
    "development": "org_id, birth_date, applied_on, talked_on, activist_on, contacts, candidate_on, review_on, training_hours, sponsors, "
    "admitted_on, admission_eligible, admission_present, admission_favour, approved_on, extension_months, full_on, full_eligible, full_present, full_favour",
}
DATES = {"elected_on", "dissolved_on", "joined_on", "full_on", "left_on", "end_on", "held_on", "taken_on", "issued_on", "received_on",
         "birth_date", "applied_on", "talked_on", "activist_on", "candidate_on", "review_on", "admitted_on", "approved_on"}


def export(sqlite_file, out):
    os.makedirs(out, exist_ok=True)
    con = duckdb.connect()
    for table, cols in TABLES.items():
        csv = os.path.join(out, f"{table}.csv")
        with open(csv, "wb") as f:
            subprocess.run(["sqlite3", "-csv", "-header", sqlite_file, f"SELECT {cols} FROM {table}"], stdout=f, check=True)
        names = [c.strip() for c in cols.split(",")]
        types = {c: ("DATE" if c in DATES else "VARCHAR" if c in ("level", "path", "kind", "coverage", "direction", "contacts", "sponsors", "from_month", "to_month")
                     else "DOUBLE" if c in ("hours", "training_hours") else "BIGINT") for c in names}
        con.execute(f"COPY (SELECT * FROM read_csv('{csv}', header = true, columns = {types!r})) TO '{out}/{table}.parquet' (FORMAT parquet)")
        os.remove(csv)
        print(f"{table}: {con.execute(f'SELECT COUNT(*) FROM read_parquet(?)', [f'{out}/{table}.parquet']).fetchone()[0]} rows", file=sys.stderr)


def month_index(d):
    return d.year * 12 + d.month - 1


def judge(pq, rules_file, year, as_of):
    with open(rules_file, "rb") as f:
        r = tomllib.load(f)
    v = lambda sec, key: r[sec][key]["value"]
    as_of = dt.date.fromisoformat(as_of)
    dec31 = dt.date(year, 12, 31)
    jan1 = dt.date(year, 1, 1)
    ref = min(dec31, as_of)
    lapse = v("meetings", "absence_lapse_months")
    # absence window: the `lapse` months up to the reference date
    m = ref.month - lapse
    y = ref.year + (m - 1) // 12
    m = (m - 1) % 12 + 1
    import calendar
    a_start = dt.date(y, m, min(ref.day, calendar.monthrange(y, m)[1])) + dt.timedelta(days=1)
    last = month_index(ref) if (ref.month, ref.day) == (12, 31) else month_index(ref) - 1
    d_from, d_to = last - 11, last
    year_over = as_of > dec31

    con = duckdb.connect()
    t0 = time.perf_counter()
    for t in TABLES:
        con.execute(f"CREATE VIEW {t}_all AS SELECT * FROM read_parquet('{pq}/{t}.parquet')")
    q = lambda s: con.execute(s)
    q("CREATE TEMP TABLE o AS SELECT id, level, elected_on, term_years FROM orgs_all WHERE dissolved_on IS NULL")
    q("CREATE TEMP TABLE posts AS SELECT org_id, COUNT(*) AS n FROM committee_posts_all WHERE end_on IS NULL GROUP BY org_id")
    q(f"CREATE TEMP TABLE roll AS SELECT * FROM members_all WHERE joined_on <= DATE '{ref}' AND (left_on IS NULL OR left_on > DATE '{ref}')")
    q(f"""CREATE TEMP TABLE os AS SELECT o.*, COALESCE(p.n, 0) AS posts, COALESCE(s.n, 0) AS members, COALESCE(s.f, 0) AS full_members
          FROM o LEFT JOIN posts p ON p.org_id = o.id
          LEFT JOIN (SELECT org_id, COUNT(*) AS n, COUNT(*) FILTER (WHERE full_on <= DATE '{ref}') AS f FROM roll GROUP BY org_id) s ON s.org_id = o.id""")
    q(f"CREATE TEMP TABLE mt AS SELECT * FROM meetings_all WHERE held_on BETWEEN DATE '{jan1}' AND DATE '{dec31}'")
    results = []  # (rule id, SQL giving org_id, fail)

    def complete_periods(per):
        spans = []
        if per == "month":
            for mo in range(1, 13):
                e = dt.date(year, mo, calendar.monthrange(year, mo)[1])
                spans.append((dt.date(year, mo, 1), e))
        elif per == "quarter":
            for qu in range(1, 5):
                e = dt.date(year, qu * 3, calendar.monthrange(year, qu * 3)[1])
                spans.append((dt.date(year, qu * 3 - 2, 1), e))
        else:
            spans.append((jan1, dec31))
        return [(s, e) for s, e in spans if e < as_of]

    meeting_rules = [
        ("meetings.general_meeting", "general_meeting", "level = 'branch'"),
        ("meetings.committee_meeting", "committee_meeting", "level = 'branch' AND posts >= 3"),
        ("meetings.group_meeting", "group_meeting", "level = 'group'"),
        ("meetings.party_lesson", "party_lesson", "level = 'branch'"),
        ("meetings.themed_party_day", "themed_party_day", "level = 'branch'"),
        ("meetings.life_meeting", "life_meeting", "level = 'branch'"),
        ("meetings.democratic_evaluation", "democratic_evaluation", "level = 'branch'"),
    ]
    for rid, kind, applies in meeting_rules:
        fr = r["meetings"][kind]
        spans = complete_periods(fr["per"])
        if not spans:
            results.append((rid, "SELECT NULL::BIGINT AS org_id, false AS fail WHERE false"))
            continue
        values = ", ".join(f"({i}, DATE '{s}', DATE '{e}')" for i, (s, e) in enumerate(spans))
        results.append((rid, f"""
            WITH p(i, s, e) AS (VALUES {values}),
                 c AS (SELECT mt.org_id, p.i, COUNT(*) AS n FROM mt JOIN p ON mt.held_on BETWEEN p.s AND p.e WHERE mt.kind = '{kind}' GROUP BY ALL)
            SELECT os.id AS org_id, bool_or(COALESCE(c.n, 0) < {fr['min']}) AS fail
            FROM os CROSS JOIN p LEFT JOIN c ON c.org_id = os.id AND c.i = p.i WHERE {applies} GROUP BY os.id"""))

    quorum = v("meetings", "committee_quorum")
    results.append(("meetings.committee_quorum", f"""
        WITH cm AS (SELECT mt.org_id, mt.held_on, SUM(a.present) AS present FROM mt JOIN attendance_all a ON a.meeting_id = mt.id
                    WHERE mt.kind = 'committee_meeting' GROUP BY mt.id, mt.org_id, mt.held_on)
        SELECT os.id AS org_id, bool_or(cm.held_on < DATE '{as_of}' AND cm.present <= os.posts * {quorum}) AS fail
        FROM os JOIN cm ON cm.org_id = os.id WHERE os.posts >= 3 GROUP BY os.id"""))
    results.append(("organisation.term_overdue", f"""
        SELECT id AS org_id, (elected_on + to_years(CAST(term_years AS INTEGER))) < DATE '{ref}' AS fail FROM os
        WHERE elected_on IS NOT NULL AND term_years IS NOT NULL AND level <> 'group'"""))
    o = r["organisation"]
    results.append(("organisation.branch_max_members", f"SELECT id AS org_id, members > {o['branch_max_members']['value']} AS fail FROM os WHERE level = 'branch'"))
    min_full = o["branch_min_full_members"]["value"]
    results.append(("organisation.branch_min_full_members", f"SELECT id AS org_id, full_members < {min_full} AS fail FROM os WHERE level = 'branch' AND members > 0"))
    results.append(("organisation.branch_committee_required", f"""
        SELECT id AS org_id, posts < {o['branch_committee_size_min']['value']} AS fail FROM os
        WHERE level = 'branch' AND full_members >= {o['branch_committee_min_full_members']['value']}"""))
    results.append(("organisation.unit_without_org", f"""
        SELECT u.owner_org_id AS org_id, bool_or(u.coverage <> 'own') AS fail FROM units_all u JOIN os ON os.id = u.owner_org_id
        WHERE u.full_members >= {min_full} GROUP BY u.owner_org_id"""))
    results.append(("members.absence", f"""
        WITH last AS (SELECT member_id, MAX(held_on) AS d FROM attendance_all WHERE present = 1 AND held_on <= DATE '{ref}' GROUP BY member_id)
        SELECT os.id AS org_id, bool_or(last.d IS NULL OR last.d < DATE '{a_start}') AS fail
        FROM os JOIN roll m ON m.org_id = os.id LEFT JOIN last ON last.member_id = m.id
        WHERE os.level = 'branch' AND m.joined_on < DATE '{a_start}' GROUP BY os.id"""))
    dl = v("dues", "lapse_months")
    results.append(("dues.lapse_months", f"""
        WITH m AS (SELECT r.id, r.org_id, GREATEST({d_from}, year(r.joined_on) * 12 + month(r.joined_on)) AS f FROM roll r
                   JOIN os ON os.id = r.org_id WHERE os.level = 'branch'),
             judged AS (SELECT * FROM m WHERE f + {dl} - 1 <= {d_to}),
             months AS (SELECT j.id, j.org_id, UNNEST(range(j.f, {d_to} + 1)) AS mi FROM judged j),
             pay AS (SELECT member_id, CAST(split_part(from_month, '-', 1) AS INTEGER) * 12 + CAST(split_part(from_month, '-', 2) AS INTEGER) - 1 AS a,
                            CAST(split_part(to_month, '-', 1) AS INTEGER) * 12 + CAST(split_part(to_month, '-', 2) AS INTEGER) - 1 AS b
                     FROM dues_payments_all WHERE catch_up = 0 AND to_month >= '{d_from // 12:04d}-{d_from % 12 + 1:02d}' AND from_month <= '{d_to // 12:04d}-{d_to % 12 + 1:02d}'),
             unpaid AS (SELECT months.* FROM months WHERE NOT EXISTS (SELECT 1 FROM pay WHERE pay.member_id = months.id AND months.mi BETWEEN pay.a AND pay.b)),
             runs AS (SELECT id, org_id, mi - ROW_NUMBER() OVER (PARTITION BY id ORDER BY mi) AS g FROM unpaid),
             lapsed AS (SELECT DISTINCT org_id, id FROM runs GROUP BY org_id, id, g HAVING COUNT(*) >= {dl})
        SELECT j.org_id, bool_or(l.id IS NOT NULL) AS fail FROM judged j LEFT JOIN lapsed l ON l.id = j.id GROUP BY j.org_id"""))
    for rid, cadre, hours in [("training.member_hours", False, v("training", "member_hours")), ("training.cadre_hours", True, v("training", "cadre_hours"))]:
        if not year_over:
            results.append((rid, "SELECT NULL::BIGINT AS org_id, false AS fail WHERE false"))
            continue
        results.append((rid, f"""
            WITH cadres AS (SELECT DISTINCT member_id FROM committee_posts_all WHERE end_on IS NULL AND member_id IS NOT NULL),
                 h AS (SELECT member_id, SUM(hours) AS h FROM training_records_all WHERE taken_on BETWEEN DATE '{jan1}' AND DATE '{dec31}' GROUP BY member_id)
            SELECT m.org_id, bool_or(COALESCE(h.h, 0) < {hours}) AS fail FROM roll m JOIN os ON os.id = m.org_id
            LEFT JOIN h ON h.member_id = m.id LEFT JOIN cadres c ON c.member_id = m.id
            WHERE os.level = 'branch' AND m.joined_on < DATE '{jan1}' AND (c.member_id IS NOT NULL) = {str(cadre).lower()} GROUP BY m.org_id"""))
    results.append(("transfers.letter_validity_days", f"""
        SELECT t.org_id, bool_or(t.issued_on + CAST(t.valid_days AS INTEGER) < DATE '{ref}'
                                 AND (t.received_on IS NULL OR t.received_on > t.issued_on + CAST(t.valid_days AS INTEGER))) AS fail
        FROM transfers_all t JOIN os ON os.id = t.org_id
        WHERE t.direction = 'out' AND t.issued_on <= DATE '{ref}' AND (t.received_on IS NULL OR t.received_on >= DATE '{jan1}') GROUP BY t.org_id"""))
    d = r["development"]
    dv = lambda k: d[k]["value"]
    in_year = " OR ".join(f"(d.{c} BETWEEN DATE '{jan1}' AND DATE '{ref}')" for c in ["applied_on", "activist_on", "candidate_on", "admitted_on", "full_on"])
    names = lambda c: f"len(list_filter(string_split({c}, '、'), lambda x: trim(x) <> ''))"
    vote_bad = lambda p: (f"({p}_eligible IS NOT NULL AND ({p}_present > {p}_eligible OR {p}_favour > {p}_present "
                          f"OR {p}_present <= {p}_eligible * {dv('vote_present_ratio')} OR {p}_favour <= {p}_eligible * {dv('vote_favour_ratio')}))")
    results.append(("development.procedure", f"""
        SELECT d.org_id, bool_or(
            date_diff('year', birth_date, applied_on) - CASE WHEN strftime(applied_on, '%m%d') < strftime(birth_date, '%m%d') THEN 1 ELSE 0 END < {dv('min_age')}
            OR (talked_on IS NOT NULL AND talked_on - applied_on > {dv('talk_within_days')})
            OR (activist_on IS NOT NULL AND (activist_on < applied_on OR (talked_on IS NOT NULL AND talked_on < applied_on)
                OR {names('contacts')} = 0 OR {names('contacts')} > {dv('training_contacts_max')}))
            OR (candidate_on IS NOT NULL AND candidate_on - COALESCE(activist_on, applied_on) < {dv('activist_min_days')})
            OR (admitted_on IS NOT NULL AND admission_eligible IS NOT NULL AND (
                (candidate_on IS NOT NULL AND admitted_on < candidate_on)
                OR date_diff('year', birth_date, admitted_on) - CASE WHEN strftime(admitted_on, '%m%d') < strftime(birth_date, '%m%d') THEN 1 ELSE 0 END < {dv('min_age')}
                OR {names('sponsors')} <> {dv('sponsors')}
                OR review_on IS NULL OR review_on > admitted_on
                OR training_hours < {dv('intensive_training_hours')}
                OR {vote_bad('admission')}
                OR (approved_on IS NOT NULL AND (approved_on < admitted_on OR approved_on > admitted_on + to_months({dv('approval_max_months')})))))
            OR (full_on IS NOT NULL AND full_eligible IS NOT NULL AND (
                full_on < COALESCE(admitted_on, applied_on) + to_months(CAST({dv('probation_months')} + COALESCE(extension_months, 0) AS INTEGER))
                OR {vote_bad('full')}))
            OR (extension_months IS NOT NULL AND (extension_months < {dv('extension_min_months')} OR extension_months > {dv('extension_max_months')}))
        ) AS fail
        FROM development_all d JOIN os ON os.id = d.org_id WHERE {in_year} GROUP BY d.org_id"""))

    out = []
    for rid, sql in results:
        app, fail = con.execute(f"SELECT COUNT(*), COUNT(*) FILTER (WHERE fail) FROM ({sql})").fetchone()
        out.append({"id": rid, "orgs_applicable": app, "orgs_failing": fail})
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "rules": out}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2], sys.argv[3])
    else:
        judge(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
