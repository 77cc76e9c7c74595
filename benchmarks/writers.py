"""Writer cost alone: N rows x 12 Chinese text columns, each writer in a fresh process.

    .venv/bin/python benchmarks/writers.py --rows 100000

Prints seconds and peak RSS above the process's idle RSS for openpyxl (normal,
write-only with/without lxml), xlsxwriter (constant_memory) and the product's own
streamed writer (``wxk_admin.exports.write_xlsx``).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

WRITERS = ["openpyxl_normal", "openpyxl_write_only", "openpyxl_write_only_nolxml", "xlsxwriter_constant_memory",
           "wxk_streamed"]


def rss_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rows(n):
    words = ["长篇小说", "江苏凤凰文艺出版社", "某高校文学院教师", "北岸", "13912345678", "散文随笔集",
             "中国作家协会", "人民文学", "收获", "花城", "钟山", "雨花"]
    for i in range(n):
        yield [f"{w}{i % 97}" for w in words]


def run_one(name: str, n: int) -> dict:
    if name == "openpyxl_write_only_nolxml":
        os.environ["OPENPYXL_LXML"] = "False"  # read by openpyxl at import time
    if name == "wxk_streamed":  # imported before the idle reading, like the other writers' modules below
        global ExportColumn, write_xlsx
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
        from wxk_admin.exports import ExportColumn, write_xlsx
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    idle = rss_kb("VmRSS")
    path = tempfile.mktemp(suffix=".xlsx")
    start = time.perf_counter()
    if name == "wxk_streamed":  # the product's writer: sheet XML streamed into the zip (wxk_admin.exports)
        columns = [ExportColumn(f"c{i}", f"列{i}", "text", 14, lambda: None) for i in range(12)]
        write_xlsx(path, columns, rows(n), title="writer benchmark")
    elif name.startswith("openpyxl"):
        from openpyxl import Workbook

        wb = Workbook(write_only=name != "openpyxl_normal")
        ws = wb.create_sheet() if name != "openpyxl_normal" else wb.active
        for row in rows(n):
            ws.append(row)
        wb.save(path)
    else:
        import xlsxwriter

        wb = xlsxwriter.Workbook(path, {"constant_memory": True})
        ws = wb.add_worksheet()
        for r, row in enumerate(rows(n)):
            ws.write_row(r, 0, row)
        wb.close()
    seconds = time.perf_counter() - start
    os.unlink(path)
    return {"writer": name, "rows": n, "seconds": round(seconds, 2),
            "peak_mb_above_idle": round((rss_kb("VmHWM") - idle) / 1024, 1)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--one", default=None)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.rows)))
        return
    for name in WRITERS:
        out = subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--one", name],
                             capture_output=True, text=True, check=True).stdout
        print(out.strip())


if __name__ == "__main__":
    main()
