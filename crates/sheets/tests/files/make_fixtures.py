"""Writes the spreadsheets other programs produce, for the import tests.

Run from this folder with openpyxl installed and LibreOffice on the PATH:
    python3 make_fixtures.py
The outputs are committed; this script documents how they were made.
"""
import csv, datetime, os, subprocess, zipfile
import openpyxl
from openpyxl.styles import Font, Alignment

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
C = "10X98765432"

def cid(region, birth, seq, bad=False):
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    c = C[sum(int(d) * w for d, w in zip(body, W)) % 11]
    if bad:
        c = C[(C.index(c) + 1) % 11]
    return body + c

BRANCH = "中共西湖村支部委员会"
# name, sex, ethnicity, birth, seq (odd = male), education, occupation, joined, full
PEOPLE = [
    ("王建国", "男", "汉族", datetime.date(1962, 3, 15), 11, "高中、中技", "农牧渔民", datetime.date(1990, 7, 1), datetime.date(1991, 7, 1)),
    ("李秀英", "女", "汉族", datetime.date(1975, 11, 2), 22, "大学专科", "其他职业人员", datetime.date(2001, 6, 28), datetime.date(2002, 6, 28)),
    ("马文", "男", "回族", datetime.date(1988, 1, 30), 33, "大学本科", "企事业单位管理人员", datetime.date(2012, 12, 20), datetime.date(2013, 12, 20)),
    ("张丽", "女", "汉族", datetime.date(1999, 5, 5), 44, "研究生", "专业技术人员", datetime.date(2025, 10, 8), None),
    ("陈国强", "男", "汉族", datetime.date(1950, 8, 1), 55, "初中及以下", "离退休人员", datetime.date(1976, 5, 4), datetime.date(1977, 5, 4)),
]
HEAD = ["序号", "姓名", "性别", "民族", "出生年月", "公民身份号码", "文化程度", "工作岗位", "入党日期", "转正日期", "所在党组织", "手机号"]

def rows(bad_check=False):
    out = []
    for i, (n, s, e, b, seq, ed, oc, j, f) in enumerate(PEOPLE, 1):
        out.append([i, n, s, e, b, cid("330122", b, seq, bad_check and i == 2), ed, oc, j, f, BRANCH, f"1380013800{i}"])
    return out

def openpyxl_roster():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["西湖村党支部党员花名册"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEAD))
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["填报单位：西湖村党支部", None, None, None, None, None, None, None, "填报日期：2026年11月"])
    ws.append(HEAD)
    for i, r in enumerate(rows()):
        # Dates the way people type them: date cells, text in several forms, a serial.
        b, j, f = r[4], r[8], r[9]
        r[4] = [b, f"{b.year}.{b.month:02d}", f"{b:%Y年%m月%d日}", f"{b.year}{b.month:02d}", b][i]
        r[8] = [j, f"{j.year}/{j.month}/{j.day}", f"{j.year}.{j.month}.{j.day}", f"{j.year}年{j.month}月{j.day}日", (j - datetime.date(1899, 12, 30)).days][i]
        r[9] = f
        ws.append(r)
    for row in ws.iter_rows(min_row=4, min_col=6, max_col=6):
        for c in row:
            c.number_format = "@"
    wb.save("openpyxl_roster.xlsx")

def libreoffice_rosters():
    with open("lo_source.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["西湖村党支部党员花名册（LibreOffice）"])
        w.writerow(HEAD)
        for r in rows():
            r[4] = r[4].isoformat()
            r[8] = r[8].isoformat()
            r[9] = r[9].isoformat() if r[9] else ""
            r[5] = "'" + r[5] if False else r[5]
            w.writerow(r)
    # Column 6 (ID) imported as text so that LibreOffice keeps all 18 digits.
    filt = "CSV:44,34,76,1,1/1/2/1/3/1/4/1/5/5/6/2/7/1/8/1/9/5/10/5/11/1/12/2"
    for fmt, name in [("xlsx", "Calc MS Excel 2007 XML"), ("xls", "MS Excel 97")]:
        subprocess.run(["soffice", "--headless", f"--infilter={filt}", "--convert-to", f"{fmt}:{name}", "lo_source.csv"], check=True, capture_output=True)
        os.replace(f"lo_source.{fmt}", f"libreoffice_roster.{fmt}")
    os.remove("lo_source.csv")

def gbk_csv():
    with open("roster_gbk.csv", "w", newline="", encoding="gbk") as fh:
        w = csv.writer(fh)
        w.writerow(HEAD)
        for r in rows():
            r[4] = f"{r[4]:%Y/%m/%d}"
            r[8] = f"{r[8]:%Y年%m月%d日}"
            r[9] = f"{r[9]:%Y-%m-%d}" if r[9] else ""
            w.writerow(r)

def bad_corpus():
    os.makedirs("../bad", exist_ok=True)
    def save(name, head, data):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(head)
        for r in data:
            ws.append(r)
        wb.save(f"../bad/{name}")
    good = rows()
    save("wrong_check_character.xlsx", HEAD, rows(bad_check=True))
    imp = [list(r) for r in good]
    imp[2][8] = "2023年2月30日"
    save("impossible_date.xlsx", HEAD, imp)
    unk = [list(r) for r in good]
    unk[3][10] = "中共不存在村支部委员会"
    save("unknown_branch.xlsx", HEAD, unk)
    dup = [list(r) for r in good] + [list(good[1])]
    save("duplicate_id.xlsx", HEAD, dup)
    miss = [[c for k, c in enumerate(r) if k != 5] for r in good]
    save("missing_column.xlsx", [h for k, h in enumerate(HEAD) if k != 5], miss)
    save("header_only.xlsx", HEAD, [])
    open("../bad/empty.xlsx", "wb").close()
    # A real Word document with a spreadsheet's name.
    with zipfile.ZipFile("../bad/word_renamed.xlsx", "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>党员花名册</w:t></w:r></w:p></w:body></w:document>')
    # Excel rounded the ID to 15 digits (typed as a number).
    num = [list(r) for r in good]
    num[0][5] = float(num[0][5][:17])
    save("id_as_number.xlsx", HEAD, num)

if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    openpyxl_roster()
    libreoffice_rosters()
    gbk_csv()
    bad_corpus()
