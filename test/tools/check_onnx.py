#!/usr/bin/env python3
"""Validate ONNX files with onnx.checker (full_check, shape inference included).

usage: check_onnx.py FILE.onnx [FILE.onnx ...]

Prints {"results": [{"path", "ok", "error"}]} as JSON on stdout and always exits 0;
the caller asserts on the results.
"""
import json
import sys

import onnx


def check(path):
    try:
        # A path (not a loaded model) so models with external data are checked too.
        onnx.checker.check_model(path, full_check=True)
        return {"path": path, "ok": True, "error": ""}
    except Exception as e:  # report, never raise
        return {"path": path, "ok": False, "error": f"{type(e).__name__}: {e}"}


def main(argv):
    results = [check(p) for p in argv]
    json.dump({"results": results}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
