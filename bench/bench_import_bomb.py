"""Benchmark of refusing a spreadsheet "dimension bomb" (issue 10, item 1).

    .venv/bin/python bench/bench_import_bomb.py                      # the current reader
    .venv/bin/python bench/bench_import_bomb.py --before 7aecc39     # also the reader of that commit

Makes the bomb the tests make (tests/test_import_limits.py): a few-KB .xlsx whose sheet declares
A1:XFD1048576, with a header, one data row and one cell at row N. For each N, in a fresh process
(so the peak resident size is the reading's own), reads it with `core.spreadsheets.read_table` and
prints the outcome, the rows read (from the refusal), the time, and the peak memory: Python's
allocations (tracemalloc, in a second run, since tracing slows the reading) and the process's
resident peak (getrusage). `--before REV` loads core/spreadsheets.py as it was at REV (git show)
and measures it for the N given by --before-rows only (the old reader builds every declared cell:
N=1,048,576 exhausts memory).
"""

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _reader(revision):
    """`read_table` of the working tree, or of core/spreadsheets.py at `revision`."""
    if not revision:
        from core.spreadsheets import read_table

        return read_table
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:core/spreadsheets.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp(prefix="kc-bench-")) / "spreadsheets_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("core.spreadsheets_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.read_table


def _measure(far_row, revision, traced):
    from django.core.exceptions import ValidationError

    from tests.test_import_limits import dimension_bomb

    read_table = _reader(revision)
    bomb = dimension_bomb(far_row)
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        table = read_table(bomb)
        outcome, rows_read = f"accepted ({len(table.rows)} rows kept)", None
    except ValidationError as refusal:
        outcome, rows_read = f"refused ({refusal.code})", (refusal.params or {}).get("rows_read")
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else None
    return {
        "bytes": len(bomb),
        "outcome": outcome,
        "rows_read": rows_read,
        "seconds": seconds,
        "traced_peak": peak,
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def _child(args):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_ENV", "local")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings")
    import django

    django.setup()
    print(json.dumps(_measure(args.child, args.revision, args.traced)))


def _run(far_row, revision):
    figures = {}
    for traced in (False, True):
        command = [sys.executable, __file__, "--child", str(far_row), "--revision", revision or ""]
        if traced:
            command.append("--traced")
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        if result.returncode:
            return {"outcome": f"crashed (exit {result.returncode}): {result.stderr.strip()[-200:]}"}
        figures[traced] = json.loads(result.stdout.strip().splitlines()[-1])
    plain, traced = figures[False], figures[True]
    return {**plain, "traced_peak": traced["traced_peak"]}


def _print(label, far_row, figures):
    if "seconds" not in figures:
        print(f"{label:<8} N={far_row:>9,}  {figures['outcome']}")
        return
    rows = "-" if figures["rows_read"] is None else f"{figures['rows_read']:,}"
    print(
        f"{label:<8} N={far_row:>9,}  file {figures['bytes']:,} B  {figures['outcome']:<28} "
        f"rows read {rows:>7}  {figures['seconds']:.3f} s  "
        f"peak {figures['traced_peak'] / 1e6:.1f} MB (tracemalloc), {figures['max_rss_kb'] / 1024:.0f} MB RSS"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="*", default=[2_000, 100_000, 1_048_576])
    parser.add_argument("--before", default="", help="a git revision whose reader to measure too")
    parser.add_argument("--before-rows", type=int, nargs="*", default=[2_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--revision", default="", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(args)
        return
    if args.before:
        for far_row in args.before_rows:
            _print("before", far_row, _run(far_row, args.before))
    for far_row in args.rows:
        _print("after", far_row, _run(far_row, ""))


if __name__ == "__main__":
    main()
