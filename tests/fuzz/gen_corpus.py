#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpus of fuzz_ops.c (tests/fuzz/corpus/): small operation sequences that
between them reach every operation, misuse class and configuration choice, so a short CI run
starts from deep states instead of rediscovering them.

Input format (see fuzz_ops.c): two configuration bytes, then 5-byte operations
(opcode, a, b, c, d). The opcode names below must stay in the order of `enum op`.

    python3 tests/fuzz/gen_corpus.py        # rewrites tests/fuzz/corpus/
"""
import os
import random
import shutil

OPS = """begin end frame_alloc frame_zeroed frame_array frame_realloc frame_strdup frame_retain
promote_pool promote_heap pool_alloc pool_aligned pool_calloc pool_free pool_usable pool_trim
heap_alloc heap_realloc heap_free heap_size xfer_create xfer_receive xfer_free tag_push tag_pop
tag_budget stats check_ptr validate check_all misuse remote frame_trim""".split()
OP = {name: i for i, name in enumerate(OPS)}

# misuse kinds (op_misuse: kind % 8)
GARBAGE, WRONG_KIND, DOUBLE_FREE, POOL_DOUBLE_FREE, BAD_ARGS, BAD_ARGS2, STALE, NULL_ARGS = range(8)


def cfg(frame_limit=0, heap_limit=0, depth=0, keep=0, prefault=False, block=0, guard=0,
        leave=False):
    """Configuration bytes: indexes into the tables of setup() in fuzz_ops.c."""
    c0 = frame_limit | heap_limit << 2 | depth << 4 | keep << 6 | (0x80 if prefault else 0)
    c1 = block | guard << 2 | (0x10 if leave else 0)
    return bytes([c0, c1])


def op(name, a=0, b=0, c=0, d=0):
    return bytes([OP[name], a & 255, b & 255, c & 255, d & 255])


def seq(*ops):
    return b"".join(ops)


def frame_basics():
    return seq(op("begin"), op("frame_alloc", 0x00, 10, 4), op("frame_alloc", 0x40, 200, 9),
               op("frame_zeroed", 0x80, 3, 12), op("frame_array", 0x40, 50, 4, 5),
               op("frame_strdup", 40), op("stats"), op("check_ptr", 1), op("validate"),
               op("end"), op("stats"))


def nested():
    return seq(op("begin"), op("frame_alloc", 0x40, 20, 4), op("begin"),
               op("frame_alloc", 0x40, 30, 8), op("frame_realloc", 1, 0x40, 90),
               op("begin"), op("frame_alloc", 0, 5, 0), op("end"), op("stats"),
               op("frame_realloc", 0, 0x40, 255), op("end"), op("check_all"), op("end"),
               op("stats"))


def seeds():
    s = {}
    s["frame_basics"] = cfg() + frame_basics()
    s["frame_nested"] = cfg(depth=1) + nested() + seq(*[op("begin")] * 5, *[op("end")] * 6)
    s["frame_big_spill"] = cfg(block=0) + seq(
        op("begin"), op("frame_alloc", 0xC0, 40, 4), op("frame_alloc", 0xC1, 200, 4),
        op("frame_alloc", 0x40, 10, 15), op("stats"), op("end"), op("begin"),
        op("frame_alloc", 0xC0, 100, 4), op("stats"), op("end"), op("stats"))
    s["frame_limit"] = cfg(frame_limit=1, block=1) + seq(
        op("begin"), *[op("frame_alloc", 0x8F, 255, i % 16) for i in range(10)],
        op("frame_alloc", 0xC0, 255, 15), op("stats"), op("end"))
    s["frame_limit_align"] = cfg(frame_limit=1, block=2) + seq(
        op("begin"), op("frame_alloc", 0xBF, 0xF0, 4), op("frame_alloc", 0x80, 10, 15),
        op("stats"), op("frame_alloc", 0x80, 10, 15), op("stats"), op("end"))
    s["frame_realloc_grow"] = cfg(frame_limit=2) + seq(
        op("begin"), op("frame_alloc", 0x00, 10, 4), *[op("frame_realloc", 0, 0x40, 20 * i)
                                                     for i in range(1, 8)],
        op("stats"), op("end"))
    s["retain_pool_heap"] = cfg() + seq(
        op("begin"), op("frame_alloc", 0x40, 60, 4), op("frame_alloc", 0x80, 40, 4),
        op("frame_retain", 0, 0, 1, 255), op("frame_retain", 1, 1, 2, 128),
        op("begin"), op("frame_alloc", 0x00, 9, 4), op("frame_retain", 2, 2, 1, 200),
        op("end"), op("end"), op("stats"), op("pool_free", 0), op("heap_free", 0), op("stats"))
    s["retain_discard"] = cfg() + seq(
        op("begin"), op("frame_alloc", 0x40, 60, 4), op("frame_retain", 0, 3, 1, 255),
        op("frame_retain", 0, 3, 0, 0), op("frame_retain", 0, 4, 0, 0), op("end"), op("stats"))
    s["retain_heap_limit"] = cfg(heap_limit=2) + seq(
        op("begin"), op("frame_alloc", 0xC0, 60, 4), op("frame_alloc", 0xC0, 20, 4),
        op("frame_retain", 0, 0, 2, 255), op("frame_retain", 1, 1, 2, 255),
        op("heap_alloc", 0x80 | 60, 0, 4), op("end"), op("stats"))
    s["pool_basics"] = cfg() + seq(
        *[op("pool_alloc", 0x40 * (i % 4), 13 * i, 0) for i in range(12)],
        op("pool_aligned", 0x40, 40, 10), op("pool_aligned", 0x80, 40, 14),
        op("pool_calloc", 0x40, 100, 3), op("pool_usable", 3), op("stats"),
        *[op("pool_free", i) for i in range(6)], op("pool_trim"), op("validate"), op("stats"))
    s["pool_churn"] = cfg(keep=1) + seq(
        *[op("pool_alloc", 0, 10, 0) for _ in range(30)], *[op("pool_free", 0) for _ in range(30)],
        *[op("begin") + op("end") for _ in range(10)], op("pool_alloc", 0, 10, 0), op("stats"))
    s["heap_basics"] = cfg() + seq(
        op("heap_alloc", 0x00, 100, 4), op("heap_alloc", 0x40, 200, 15),
        op("heap_alloc", 0x80, 3, 12), op("heap_realloc", 0, 0x40, 250),
        op("heap_realloc", 1, 0x00, 3), op("heap_size", 0), op("heap_size", 2), op("stats"),
        op("heap_free", 1), op("stats"), op("check_ptr", 0))
    s["heap_limit"] = cfg(heap_limit=2) + seq(
        op("heap_alloc", 0xC0, 40, 4), op("heap_alloc", 0xC0, 40, 4), op("heap_alloc", 0xC0, 40, 4),
        op("heap_realloc", 0, 0xC0, 60), op("stats"), op("heap_free", 0), op("stats"))
    s["promote"] = cfg() + seq(
        op("begin"), op("frame_alloc", 0x40, 60, 4), op("promote_pool", 0, 255),
        op("promote_heap", 0, 128, 9), op("pool_alloc", 0x40, 3), op("promote_heap", 1, 255, 15),
        op("end"), op("stats"))
    s["transfer"] = cfg() + seq(
        op("begin"), op("frame_alloc", 0x40, 60, 4), op("xfer_create", 0, 255),
        op("xfer_create", 0, 3), op("end"), op("xfer_receive", 0), op("check_all"),
        op("xfer_receive", 0), op("xfer_free", 0), op("stats"), op("xfer_free", 0), op("stats"))
    s["tags_budgets"] = cfg() + seq(
        op("tag_push", 1), op("tag_budget", 1, 2 | 5 << 3), op("heap_alloc", 0x40, 100, 4),
        op("pool_alloc", 0x40, 100), op("begin"), op("frame_alloc", 0x80, 255, 4), op("end"),
        op("tag_push", 2), op("tag_budget", 2, 3 << 3), op("heap_alloc", 0x80, 0xF0, 4),
        op("heap_alloc", 0x80, 0xF0, 4), op("stats"), op("tag_pop"), op("tag_pop"),
        op("stats"))
    s["tags_deep"] = cfg() + seq(*[op("tag_push", i) for i in range(18)],
                                 op("pool_alloc", 0, 5), op("stats"),
                                 *[op("tag_pop") for _ in range(19)], op("stats"))
    s["budget_frames"] = cfg() + seq(
        op("tag_budget", 3, 2 | 2 << 3), op("tag_push", 3), op("begin"),
        op("frame_alloc", 0x80, 255, 4), op("frame_alloc", 0x80, 255, 4), op("end"),
        op("begin"), op("end"), op("stats"))
    s["budget_soft_over_hard"] = cfg() + seq(op("tag_budget", 1, 5 | 2 << 3), op("stats"))
    s["guard_frames"] = cfg(guard=1, block=0) + seq(
        *[op("begin") + op("frame_alloc", 0x40, 30 * i, 4) + op("end") for i in range(8)],
        op("misuse", STALE, 0, 0), op("misuse", STALE, 1, 3), op("stats"))
    s["guard_default"] = cfg(guard=2, prefault=True) + frame_basics() + frame_basics()
    s["leave_to_destroy"] = cfg(leave=True) + seq(
        op("pool_alloc", 0, 10), op("heap_alloc", 0, 10, 4), op("begin"),
        op("frame_alloc", 0, 10, 4), op("xfer_create", 0, 10))
    s["leave_frames_only"] = cfg(leave=True) + seq(op("begin"), op("begin"),
                                                    op("frame_alloc", 0, 10, 4))
    s["misuse_garbage"] = cfg() + seq(
        op("heap_alloc", 0, 10, 4), op("heap_free", 0), op("heap_alloc", 0, 20, 4),
        *[op("misuse", GARBAGE, w, g) for w in range(9) for g in (1, 2, 4, 6, 8)])
    s["misuse_ptr_one"] = cfg() + seq(
        *[op("heap_alloc", 0, 10 + i, 4) for i in range(8)], *[op("heap_free", 0)
                                                             for _ in range(8)],
        op("xfer_create", 0, 0), op("begin"), op("frame_alloc", 0, 10, 4), op("xfer_create", 0, 5),
        op("xfer_free", 0), op("end"), *[op("misuse", GARBAGE, w, 0) for w in range(9)])
    s["misuse_wrong_kind"] = cfg() + seq(
        op("begin"), op("frame_alloc", 0x40, 10, 4), op("pool_alloc", 0x40, 10),
        op("heap_alloc", 0x40, 10, 4),
        *[op("misuse", WRONG_KIND, w, sel, 7) for w in range(8) for sel in range(3)], op("end"))
    s["misuse_double_free"] = cfg() + seq(
        op("heap_alloc", 0, 50, 4), op("heap_free", 0), op("misuse", DOUBLE_FREE, 1),
        op("begin"), op("frame_alloc", 0, 10, 4), op("xfer_create", 0, 5), op("xfer_free", 0),
        op("misuse", DOUBLE_FREE, 0), op("xfer_create", 0, 5), op("xfer_receive", 0),
        op("xfer_receive", 0), op("end"))
    s["misuse_pool_double_free"] = cfg() + seq(
        op("pool_alloc", 0, 50), op("pool_alloc", 0, 50), op("pool_free", 0),
        op("misuse", POOL_DOUBLE_FREE, 0), op("pool_free", 0), op("pool_trim"),
        op("misuse", POOL_DOUBLE_FREE, 1), op("stats"))
    s["misuse_bad_args"] = cfg() + seq(
        *[op("misuse", BAD_ARGS, w, c) for w in range(14) for c in (0, 1, 2, 3)],
        op("begin"), op("frame_alloc", 0, 10, 4), op("heap_alloc", 0, 10, 4),
        *[op("misuse", BAD_ARGS2, w, c) for w in range(14) for c in (0, 1, 2, 3)],
        op("end"), op("end"), op("tag_pop"), op("frame_alloc", 0, 1, 1),
        op("frame_retain", 0, 0, 1, 1))
    s["misuse_stale"] = cfg(depth=2) + seq(
        op("begin"), op("frame_alloc", 0, 10, 4), op("begin"), op("frame_alloc", 0x40, 30, 4),
        op("frame_alloc", 0x40, 30, 9), op("end"), op("misuse", STALE, 0, 0),
        op("misuse", STALE, 1, 1), op("frame_alloc", 0, 3, 4), op("misuse", STALE, 1, 0),
        op("end"), op("misuse", STALE, 0, 1))
    s["misuse_null"] = cfg() + seq(*[op("misuse", NULL_ARGS, w) for w in range(10)])
    s["remote"] = cfg() + seq(
        op("pool_alloc", 0, 10), op("pool_alloc", 0x40, 90), op("remote", 0, 0),
        op("remote", 1, 0, 0x40, 40), op("remote", 1, 0, 0, 10), op("stats"),
        op("pool_free", 1), op("heap_alloc", 0, 10, 4), op("remote", 2, 0), op("begin"),
        op("frame_alloc", 0, 10, 4), op("remote", 3, 0), op("xfer_create", 0, 5),
        op("remote", 4, 0), op("remote", 4, 0), op("end"), op("stats"))
    s["remote_full_pages"] = cfg() + seq(
        *[op("remote", 1, 0, 0, 5) for _ in range(40)], op("stats"),
        *[op("pool_free", 0) for _ in range(40)], op("pool_alloc", 0, 5), op("stats"))
    s["frame_trim"] = cfg(block=0) + seq(
        op("begin"), op("frame_alloc", 0xC0, 60, 4), op("begin"), op("frame_alloc", 0xC0, 200, 4),
        op("end"), op("frame_trim"), op("misuse", STALE, 0, 0), op("stats"), op("end"),
        op("frame_trim"), op("begin"), op("frame_alloc", 0x40, 9, 4), op("stats"), op("end"))
    s["retain_bad_update"] = cfg() + seq(
        op("begin"), op("frame_alloc", 0x40, 60, 4), op("frame_retain", 0, 0, 1, 255),
        op("misuse", BAD_ARGS, 12, 2 | 4), op("misuse", BAD_ARGS, 12, 2 | 4 | 8),
        op("misuse", BAD_ARGS, 12, 2), op("end"), op("stats"))
    s["everything_small"] = cfg(frame_limit=3, heap_limit=3, depth=2, block=1) + seq(
        *[op(name, 1, 2, 3, 4) for name in OPS])
    rnd = random.Random(20261202)
    for i in range(8):
        body = bytes(rnd.randrange(256) for _ in range(5 * rnd.randrange(20, 120)))
        s["random_%d" % i] = bytes([rnd.randrange(256), rnd.randrange(256) & 0xEF]) + body
    return s


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for name, data in sorted(seeds().items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(seeds()), out))


if __name__ == "__main__":
    main()
