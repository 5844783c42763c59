"""Writes the roster corpus: files as other people and other tools keep them.

Nothing here comes from dangjian's exporter or templates. Tools: openpyxl, xlwt (the
BIFF8 .xls that WPS and Excel 2003 save), LibreOffice headless (Debian's soffice), and
Python's csv module in UTF-8, UTF-8 with BOM, GBK and GB 18030. Each file's expected
outcome is written to MANIFEST.tsv beside it; crates/sheets/tests/corpus.rs checks them.

    python3 -m venv /tmp/v && /tmp/v/bin/pip install openpyxl xlwt
    cd crates/sheets/tests/corpus && /tmp/v/bin/python make_corpus.py
"""
import csv, datetime as dt, os, shutil, subprocess, tempfile
import openpyxl, xlwt
from openpyxl.styles import Alignment, Font

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
C = "10X98765432"

def cid(birth, seq, region="330122", bad=False):
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    c = C[sum(int(d) * w for d, w in zip(body, W)) % 11]
    if bad:
        c = C[(C.index(c) + 1) % 11]
    return body + c

BRANCH = "中共西湖村支部委员会"
D = dt.date
# name, sex, ethnicity, birth, seq (odd = male), education, occupation, joined, full, phone
PEOPLE = [
    ("王建国", "男", "汉族", D(1962, 3, 15), 11, "高中", "农民", D(1990, 7, 1), D(1991, 7, 1), "13800138001"),
    ("李秀英", "女", "汉族", D(1975, 11, 2), 22, "大专", "教师", D(2001, 6, 28), D(2002, 6, 28), "13800138002"),
    ("马文", "男", "回族", D(1988, 1, 30), 33, "本科", "公务员", D(2012, 12, 20), D(2013, 12, 20), "13800138003"),
    ("张丽", "女", "汉族", D(1999, 5, 5), 44, "硕士", "医生", D(2025, 10, 8), None, "13800138004"),
    ("陈国强", "男", "汉族", D(1950, 8, 1), 55, "初中", "退休", D(1976, 5, 4), D(1977, 5, 4), ""),
    ("赵春梅", "女", "汉族", D(1968, 2, 14), 66, "中专", "村干部", D(1995, 3, 1), D(1996, 3, 1), "0571-88001234"),
]
HEAD = ["序号", "姓名", "性别", "民族", "出生年月", "公民身份号码", "文化程度", "职业", "入党时间", "转正时间", "所在党支部", "联系电话"]
MANIFEST = []

def people_rows(fmt=lambda d: d, people=PEOPLE):
    out = []
    for i, (n, s, e, b, seq, ed, oc, j, f, ph) in enumerate(people, 1):
        out.append([i, n, s, e, fmt(b), cid(b, seq), ed, oc, fmt(j), fmt(f) if f else None, BRANCH, ph])
    return out

def iso(d):
    return d.isoformat() if d else None

def note(name, tool, layout, expect, checks=""):
    MANIFEST.append((name, tool, layout, expect, checks))

def book(head=HEAD, rows=None, titles=(), sheet="花名册"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    write(ws, head, rows if rows is not None else people_rows(), titles)
    return wb, ws

def write(ws, head, rows, titles=()):
    for t in titles:
        ws.append([t])
    if titles:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(head))
        ws.cell(1, 1).font = Font(size=16, bold=True)
        ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.append(head)
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows(min_row=len(titles) + 2):
        for c in row:
            if isinstance(c.value, (dt.date, dt.datetime)):
                c.number_format = "yyyy-mm-dd"

STD = "王建国.education=high_school;李秀英.education=college;马文.education=bachelor;张丽.education=postgraduate;陈国强.education=junior_or_below;赵春梅.education=secondary_vocational"
OCC = "王建国.occupation=farmer;李秀英.occupation=professional;马文.occupation=official;张丽.occupation=professional;陈国强.occupation=retired;赵春梅.occupation=official"

# ---- openpyxl --------------------------------------------------------------------------
def o01():
    wb, _ = book(titles=["西湖村党支部党员花名册", "填报单位：中共西湖村支部委员会（盖章）", "填报日期：2026年11月20日"])
    wb.save("o01_title_rows.xlsx")
    note("o01_title_rows.xlsx", "openpyxl", "合并的标题行、填报单位（盖章）、填报日期", "ok:6", STD + ";" + OCC)

def o02():
    head = ["序 号", "姓  名", "性　别", "民　族", "出 生 年 月", "身 份 证 号", "学  历", "职  业", "入党 时间", "转正 时间", "所在 党支部", "联系 电话"]
    wb, _ = book(head=head)
    wb.save("o02_spaced_headers.xlsx")
    note("o02_spaced_headers.xlsx", "openpyxl", "列名中间有半角、全角空格", "ok:6", "马文.ethnicity=回族")

def o03():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "党员名册"
    ws.append(["西湖村党员基本情况登记表"])
    ws.merge_cells("A1:L1")
    ws.append(["序号", "姓名", "基本情况", None, None, None, None, None, "入党情况", None, "所在党支部", "联系电话"])
    ws.append([None, None, "性别", "民族", "出生年月", "身份证号", "学历", "职业", "入党时间", "转正时间", None, None])
    for col in ("A", "B", "K", "L"):
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("C2:H2")
    ws.merge_cells("I2:J2")
    for r in people_rows():
        ws.append(r)
    wb.save("o03_two_row_header.xlsx")
    note("o03_two_row_header.xlsx", "openpyxl", "两行表头：上行合并的分组标题，下行列名；序号、姓名纵向合并", "ok:6", "张丽.status=probationary;王建国.status=full")

def o04():
    wb, ws = book()
    ws.append([])
    ws.append([])
    ws.append(["合计", "6人"])
    ws.append(["填表人：张三", None, None, "审核人：李四", None, None, "联系电话：13800000000"])
    ws.append(["注：本表由党支部填写，1份报镇党委。"])
    wb.save("o04_footer_rows.xlsx")
    note("o04_footer_rows.xlsx", "openpyxl", "数据下方有空行、合计行、填表人/审核人行、注释行", "ok:6")

def o05():
    head = HEAD + ["备注"]
    rows = [r + [x] for r, x in zip(people_rows(), ["", "村妇联主任", "", "新发展党员", "老党员，行动不便", ""])]
    wb, _ = book(head=head, rows=rows)
    wb.save("o05_notes_column.xlsx")
    note("o05_notes_column.xlsx", "openpyxl", "有备注列（内容不导入，预览中列出）", "ok:6", "unused=备注")

def o06():
    wb, ws = book()
    ws.column_dimensions["L"].hidden = True
    ws.row_dimensions[4].hidden = True
    wb.save("o06_hidden_rows_cols.xlsx")
    note("o06_hidden_rows_cols.xlsx", "openpyxl", "隐藏的列（联系电话）和隐藏的行：照常导入", "ok:6", "王建国.phone=13800138001;hidden_rows=4;hidden_columns=L")

def o07():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填写说明"
    ws.append(["1. 每名党员一行"])
    ws2 = wb.create_sheet("统计")
    ws2.append(["男", 3])
    ws2.append(["女", 3])
    ws3 = wb.create_sheet("党员花名册")
    write(ws3, HEAD, people_rows())
    wb.save("o07_several_sheets_one_roster.xlsx")
    note("o07_several_sheets_one_roster.xlsx", "openpyxl", "多张工作表（说明、统计、花名册），名册在第三张", "ok:6")

def o08():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "第一党小组"
    write(ws, HEAD, people_rows(people=PEOPLE[:3]))
    ws2 = wb.create_sheet("第二党小组")
    write(ws2, HEAD, people_rows(people=PEOPLE[3:]))
    wb.save("o08_two_roster_sheets.xlsx")
    note("o08_two_roster_sheets.xlsx", "openpyxl", "两张工作表都是名册：请用户选择", "header:都像党员花名册")

def o09():
    words = ["高中毕业", "大学专科", "大学", "硕士研究生", "初中及以下", "技校"]
    rows = people_rows()
    for r, w in zip(rows, words):
        r[6] = w
    wb, _ = book(rows=rows)
    wb.save("o09_education_words.xlsx")
    note("o09_education_words.xlsx", "openpyxl", "学历的各种写法", "ok:6", STD)

def o10():
    words = ["农牧渔民", "医生", "机关干部", "学生", "离休", "个体户"]
    rows = people_rows()
    for r, w in zip(rows, words):
        r[7] = w
    wb, _ = book(rows=rows)
    wb.save("o10_occupation_words.xlsx")
    note("o10_occupation_words.xlsx", "openpyxl", "职业的常用叫法", "ok:6", "王建国.occupation=farmer;李秀英.occupation=professional;马文.occupation=official;张丽.occupation=student;陈国强.occupation=retired;赵春梅.occupation=other")

def o11():
    rows = people_rows()
    for r, w in zip(rows, ["汉", "汉族", "回", "维吾尔", "汉", "蒙族"]):
        r[3] = w
    wb, _ = book(rows=rows)
    wb.save("o11_ethnicity_without_zu.xlsx")
    note("o11_ethnicity_without_zu.xlsx", "openpyxl", "民族写作“汉”“回”“维吾尔”“蒙族”", "ok:6", "王建国.ethnicity=汉族;马文.ethnicity=回族;张丽.ethnicity=维吾尔族;赵春梅.ethnicity=蒙古族")

def o12():
    head = HEAD[:9] + ["转正时间", "党员类别", "所在党支部", "联系电话"]
    rows = []
    for r in people_rows():
        r[2] = {"男": "男性", "女": "女性"}[r[2]]
        rows.append(r[:10] + ["预备" if r[9] is None else "正式"] + r[10:])
    wb, _ = book(head=head, rows=rows)
    wb.save("o12_sex_and_status_words.xlsx")
    note("o12_sex_and_status_words.xlsx", "openpyxl", "性别写作男性/女性，党员类别写作正式/预备", "ok:6", "王建国.sex=male;李秀英.sex=female;张丽.status=probationary;陈国强.status=full")

def o13():
    rows = people_rows()
    forms = [("1962.03", "1990.07"), ("1975年11月", "2001年6月"), ("198801", "201212"), ("1999.05", "2025.10.8"), ("1950.08", "1976.5"), ("1968-02", "1995年3月1日")]
    for r, (b, j) in zip(rows, forms):
        r[4], r[8], r[9] = b, j, None if r[9] is None else r[9].strftime("%Y.%m")
    wb, _ = book(rows=rows)
    wb.save("o13_month_only_dates.xlsx")
    note("o13_month_only_dates.xlsx", "openpyxl", "出生年月、入党时间、转正时间只写到月（1990.07、2001年6月、201212）", "ok:6",
         "王建国.joined_on=1990-07-01;王建国.joined_precision=month;李秀英.birth_date=1975-11-02;张丽.joined_precision=day;赵春梅.joined_on=1995-03-01;赵春梅.joined_precision=day;陈国强.joined_on=1976-05-01")

def o14():
    head = [h for h in HEAD if h != "职业"]
    rows = [r[:7] + r[8:] for r in people_rows()]
    wb, _ = book(head=head, rows=rows)
    wb.save("o14_no_occupation_column.xlsx")
    note("o14_no_occupation_column.xlsx", "openpyxl", "没有职业列：导入为未登记", "ok:6", "王建国.occupation=unregistered;missing=职业;gap=职业:6")

def o15():
    rows = people_rows()
    rows[0][6] = None
    rows[1][7] = ""
    rows[2][3] = None
    rows[3][2] = None
    rows[4][4] = None
    wb, _ = book(rows=rows)
    wb.save("o15_empty_cells.xlsx")
    note("o15_empty_cells.xlsx", "openpyxl", "学历、职业、民族、性别、出生年月有空格子", "ok:6", "王建国.education=unregistered;李秀英.occupation=unregistered;马文.ethnicity=未登记;张丽.sex=female;陈国强.birth_date=1950-08-01;gap=学历:1")

def o16():
    head = ["姓名", "身份证号", "入党时间", "党支部"]
    rows = [[r[1], r[5], r[8], r[10]] for r in people_rows()]
    wb, _ = book(head=head, rows=rows)
    wb.save("o16_identity_only.xlsx")
    note("o16_identity_only.xlsx", "openpyxl", "只有姓名、身份证号、入党时间和党支部", "ok:6", "马文.sex=male;马文.birth_date=1988-01-30;马文.education=unregistered;马文.ethnicity=未登记")

def o17():
    rows = people_rows()
    rows[1][8] = "01.6.28"
    wb, _ = book(rows=rows)
    wb.save("o17_two_digit_year.xlsx")
    note("o17_two_digit_year.xlsx", "openpyxl", "入党时间写成两位年份（01.6.28）", "rows:1:只写了两位")

def o18():
    rows = people_rows()
    rows[2][5] = cid(D(1988, 1, 30), 33, bad=True)
    rows[2][4] = "1988.01"
    wb, _ = book(rows=rows)
    wb.save("o18_bad_id_month_birth.xlsx")
    note("o18_bad_id_month_birth.xlsx", "openpyxl", "出生年月只写到月、身份证号校验位错误：只报身份证号，不引用空值", "rows:1:校验")

def o19():
    rows = people_rows()
    rows[0][6] = "大学肄业"
    rows[1][7] = "飞行员"
    wb, _ = book(rows=rows)
    wb.save("o19_unknown_words.xlsx")
    note("o19_unknown_words.xlsx", "openpyxl", "无法识别的学历和职业：列出可填写的词并提示最接近的", "rows:2:无法识别")

def o20():
    rows = people_rows(fmt=lambda d: dt.datetime(d.year, d.month, d.day))
    rows[0][8] = 33055  # an Excel serial typed as a number: 1990-07-01
    wb, _ = book(rows=rows)
    wb.save("o20_date_cells_and_serials.xlsx")
    note("o20_date_cells_and_serials.xlsx", "openpyxl", "Excel日期单元格和日期序列号", "ok:6", "王建国.joined_on=1990-07-01;李秀英.birth_date=1975-11-02")

def o21():
    rows = people_rows()
    rows[0][5] = float(rows[0][5][:15] + "000")
    wb, _ = book(rows=rows)
    wb.save("o21_id_as_number.xlsx")
    note("o21_id_as_number.xlsx", "openpyxl", "身份证号被存成数字（后三位变成0）", "rows:1:存成了数字")

def o22():
    head = [h for h in HEAD if h != "所在党支部"]
    rows = [r[:10] + r[11:] for r in people_rows()]
    wb, _ = book(head=head, rows=rows, titles=["党员花名册", "填报单位：中共西湖村支部委员会（盖章）"])
    wb.save("o22_org_in_title.xlsx")
    note("o22_org_in_title.xlsx", "openpyxl", "没有所在党支部列，党支部写在“填报单位：”标题行", "ok:6")

def o23():
    head = [h for h in HEAD if h != "所在党支部"]
    rows = [r[:10] + r[11:] for r in people_rows()]
    wb, _ = book(head=head, rows=rows, titles=["党员花名册"])
    wb.save("o23_no_org_anywhere.xlsx")
    note("o23_no_org_anywhere.xlsx", "openpyxl", "文件中没有写所在党组织", "header:所在党组织")

# ---- LibreOffice ---------------------------------------------------------------------------
def soffice(src, fmt, out):
    tmp = tempfile.mkdtemp()
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", fmt, "--outdir", tmp, src],
                   check=True, capture_output=True)
    produced = [f for f in os.listdir(tmp) if f.startswith(os.path.splitext(os.path.basename(src))[0] + ".")]
    shutil.move(os.path.join(tmp, produced[0]), out)
    shutil.rmtree(tmp, ignore_errors=True)

def lo():
    soffice("o01_title_rows.xlsx", "xlsx", "l24_libreoffice_title_rows.xlsx")
    note("l24_libreoffice_title_rows.xlsx", "LibreOffice", "LibreOffice另存的.xlsx：标题行", "ok:6", STD)
    soffice("o03_two_row_header.xlsx", "xls", "l25_libreoffice_two_row_header.xls")
    note("l25_libreoffice_two_row_header.xls", "LibreOffice", "LibreOffice另存为Excel 97-2003 .xls：两行表头", "ok:6")
    soffice("o09_education_words.xlsx", "xls", "l26_libreoffice_education_words.xls")
    note("l26_libreoffice_education_words.xls", "LibreOffice", ".xls：学历的各种写法", "ok:6", STD)
    soffice("o13_month_only_dates.xlsx", "xlsx", "l27_libreoffice_month_dates.xlsx")
    note("l27_libreoffice_month_dates.xlsx", "LibreOffice", ".xlsx：只写到月的日期", "ok:6", "王建国.joined_precision=month")

# ---- xlwt: the BIFF8 .xls of WPS and Excel 2003 -------------------------------------------------
def xls_book(sheets):
    wb = xlwt.Workbook(encoding="utf-8")
    datestyle = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    title = xlwt.easyxf("font: bold on, height 320; align: horiz center")
    for name, titles, head, rows, footer in sheets:
        ws = wb.add_sheet(name)
        r = 0
        for i, t in enumerate(titles):
            if i == 0:
                ws.write_merge(0, 0, 0, len(head) - 1, t, title)
            else:
                ws.write(r, 0, t)
            r += 1
        for c, h in enumerate(head):
            ws.write(r, c, h)
        r += 1
        for row in rows:
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, dt.date):
                    ws.write(r, c, dt.datetime(v.year, v.month, v.day), datestyle)
                else:
                    ws.write(r, c, v)
            r += 1
        for f in footer:
            r += 1
            ws.write(r, 0, f)
    return wb

def x():
    xls_book([("Sheet1", ["西湖村党支部党员花名册", "填报单位：中共西湖村支部委员会"], HEAD, people_rows(), [])]).save("x28_wps_title_rows.xls")
    note("x28_wps_title_rows.xls", "xlwt", "WPS/Excel 2003 .xls：合并标题、日期单元格", "ok:6", STD + ";马文.joined_on=2012-12-20")
    xls_book([("Sheet1", [], HEAD, people_rows(), ["合计：6人", "填表人：张三"])]).save("x29_wps_footer.xls")
    note("x29_wps_footer.xls", "xlwt", ".xls：合计和填表人行", "ok:6")
    xls_book([("填写说明", [], ["说明"], [["每名党员一行"]], []), ("名册", ["党员花名册"], HEAD, people_rows(fmt=iso), [])]).save("x30_excel2003_two_sheets.xls")
    note("x30_excel2003_two_sheets.xls", "xlwt", ".xls：说明页在前，名册在第二张", "ok:6")
    rows = people_rows()
    rows[5][6] = "文盲"
    xls_book([("Sheet1", [], HEAD, rows, [])]).save("x31_wps_unknown_free.xls")
    note("x31_wps_unknown_free.xls", "xlwt", ".xls：学历写“文盲”", "ok:6", "赵春梅.education=junior_or_below")

# ---- CSV -------------------------------------------------------------------------------------
def csv_file(name, encoding, rows, head=HEAD, pre=(), post=(), bom=False):
    with open(name, "w", newline="", encoding=encoding) as f:
        if bom:
            f.write("\ufeff")
        w = csv.writer(f)
        for p in pre:
            w.writerow([p])
        w.writerow(head)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])
        for p in post:
            w.writerow([p])

def c():
    csv_file("c32_utf8.csv", "utf-8", people_rows(fmt=iso))
    note("c32_utf8.csv", "csv", "UTF-8，无BOM", "ok:6", STD)
    csv_file("c33_utf8_bom.csv", "utf-8", people_rows(fmt=lambda d: d.strftime("%Y/%m/%d")), bom=True)
    note("c33_utf8_bom.csv", "csv", "UTF-8带BOM（Excel另存为“CSV UTF-8”），日期写作2020/01/05", "ok:6", STD)
    csv_file("c34_gbk.csv", "gbk", people_rows(fmt=lambda d: f"{d.year}年{d.month}月{d.day}日"), pre=["西湖村党员名册"], post=["合计6人"])
    note("c34_gbk.csv", "csv", "GBK（Excel中文版默认），标题行和合计行", "ok:6", "李秀英.joined_on=2001-06-28")
    people = list(PEOPLE)
    people[0] = ("王䶮",) + people[0][1:]
    csv_file("c35_gb18030.csv", "gb18030", people_rows(fmt=iso, people=people))
    note("c35_gb18030.csv", "csv", "GB 18030，含GBK没有的字（䶮）", "ok:6", "王䶮.education=high_school")
    csv_file("c36_utf8_few_bad_bytes.csv", "utf-8", people_rows(fmt=iso))
    data = open("c36_utf8_few_bad_bytes.csv", "rb").read()
    i = data.index("陈国强".encode())
    data = data[:i] + b"\xff" + data[i + 3:]
    open("c36_utf8_few_bad_bytes.csv", "wb").write(data)
    note("c36_utf8_few_bad_bytes.csv", "csv", "UTF-8中有一个损坏的字节：仍按UTF-8读，只报那一格", "rows:1:无法识别的字符")

def t():
    # Excel "另存为 → Unicode 文本": UTF-16 LE with BOM, tab-separated, CRLF.
    rows = [HEAD] + [["" if v is None else str(v) for v in r] for r in people_rows(fmt=iso)]
    text = "\r\n".join("\t".join(r) for r in rows) + "\r\n"
    open("c37_excel_unicode_text.csv", "wb").write(b"\xff\xfe" + text.encode("utf-16-le"))
    note("c37_excel_unicode_text.csv", "csv", "Excel另存为“Unicode文本”：UTF-16带BOM、制表符分隔", "ok:6", STD)
    text = "\n".join("\t".join(r) for r in rows) + "\n"
    open("c38_wps_tab_separated.csv", "w", encoding="gbk").write(text)
    note("c38_wps_tab_separated.csv", "csv", "制表符分隔的GBK文本（WPS另存为“文本文件（制表符分隔）”）", "ok:6", OCC)

for f in [o01, o02, o03, o04, o05, o06, o07, o08, o09, o10, o11, o12, o13, o14, o15, o16, o17, o18, o19, o20, o21, o22, o23, lo, x, c, t]:
    f()
with open("MANIFEST.tsv", "w", encoding="utf-8") as f:
    f.write("file\ttool\tlayout\texpect\tchecks\n")
    for row in MANIFEST:
        f.write("\t".join(row) + "\n")
print(len(MANIFEST), "files")
