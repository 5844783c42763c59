"""The peer of `dangjian import` in bench/import.sh: pandas.read_excel + DataFrame.to_sql.

Reads the roster as text (dtype=str, as a careful user would, so IDs keep 18 digits) and
writes it into a `members` table of the given database. No validation, no organisation
lookup, no upsert: the least work a pandas user would do.
    python pandas_import.py ROSTER.xlsx sqlite:///path.db | postgres://user:pw@host/db
"""
import sys, time
import pandas as pd
import sqlalchemy

path, url = sys.argv[1], sys.argv[2]
if url.startswith("sqlite://") and not url.startswith("sqlite:///"):
    url = "sqlite:///" + url[len("sqlite://"):]
if url.startswith("postgres://"):
    url = "postgresql+psycopg2://" + url[len("postgres://"):]
t0 = time.time()
df = pd.read_excel(path, dtype=str, engine="openpyxl")
t1 = time.time()
engine = sqlalchemy.create_engine(url)
df.to_sql("members", engine, if_exists="replace", index=False, chunksize=10000, method="multi" if url.startswith("postgresql") else None)
t2 = time.time()
print(f"pandas: {len(df)} rows; read_excel {t1 - t0:.1f} s, to_sql {t2 - t1:.1f} s")
