"""Writes the Parquet files the tests read (tests/fixtures/parquet/), with
pyarrow, one per compression, each with every kind of column the import
maps: integers of each width, unsigned, floats, strings, booleans, dates,
timestamps, times, decimals short and long, binary, lists, structs, maps,
and NULLs; two rows per row group, so files have several.

    pip install pyarrow==26.0.1 && python3 tools/make-parquet-fixtures.py
"""
import datetime
import decimal
import os

import pyarrow as pa
import pyarrow.parquet as pq

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "parquet")

table = pa.table({
    "id": pa.array([1, 2, 3, 4, 5], pa.int64()),
    "small": pa.array([-128, 0, 127, None, 1], pa.int8()),
    "big_unsigned": pa.array([0, 2**63 + 5, 7, None, 1], pa.uint64()),
    "name": pa.array(["Ada", "Grace, \"Amazing\"", None, "Ünïcödé ✓", ""], pa.string()),
    "score": pa.array([1.5, -0.25, None, 1e300, 3.0], pa.float64()),
    "ratio": pa.array([0.5, None, 2.25, 1.0, -1.0], pa.float32()),
    "flag": pa.array([True, False, None, True, False], pa.bool_()),
    "day": pa.array([datetime.date(2024, 2, 29), datetime.date(1969, 12, 31), None, datetime.date(2000, 1, 1), datetime.date(1970, 1, 1)], pa.date32()),
    "at": pa.array([datetime.datetime(2024, 2, 29, 13, 45, 30, 123000), None, datetime.datetime(1999, 12, 31, 23, 59, 59), datetime.datetime(1970, 1, 1), datetime.datetime(2030, 6, 1, 0, 0, 0, 500000)], pa.timestamp("ms")),
    "clock": pa.array([datetime.time(12, 34, 56), None, datetime.time(0, 0, 0, 250000), datetime.time(23, 59, 59), datetime.time(1, 2, 3)], pa.time32("ms")),
    "price": pa.array([decimal.Decimal("19.99"), decimal.Decimal("-0.05"), None, decimal.Decimal("100.00"), decimal.Decimal("0.00")], pa.decimal128(10, 2)),
    "exact": pa.array([decimal.Decimal("12345678901234567890.1234"), None, decimal.Decimal("-1.0000"), decimal.Decimal("0.0001"), decimal.Decimal("1")], pa.decimal128(38, 4)),
    "blob": pa.array([b"\x00\xff", None, b"abc", b"", b"\x10"], pa.binary()),
    "tags": pa.array([["a", "b"], [], None, ["c"], ["d", None]], pa.list_(pa.string())),
    "point": pa.array([{"x": 1, "y": 2}, None, {"x": -3, "y": None}, {"x": 0, "y": 0}, {"x": 5, "y": 6}], pa.struct([("x", pa.int32()), ("y", pa.int32())])),
    "attrs": pa.array([[("k", 1)], None, [("a", 2), ("b", 3)], [], [("z", None)]], pa.map_(pa.string(), pa.int32())),
})

os.makedirs(OUT, exist_ok=True)
for codec in ["none", "snappy", "gzip", "zstd", "lz4", "brotli"]:
    pq.write_table(table, os.path.join(OUT, f"types-{codec}.parquet"), compression=codec, row_group_size=2)
