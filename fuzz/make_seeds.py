#!/usr/bin/env python3
"""hotspan fuzzing — writes the seed corpora of fuzz/corpus/<target>/.

Seeds are small real files made by the demo (circuit_build, one thread, one
circuit), cut and bit-flipped variants of them (some with their frame
checksums recomputed, so that the damage reaches the decoders), hand-made
frames and lines for the edge cases of docs/FORMAT.md and of the JSON Lines
reader, the W3C traceparent examples, and fixed-seed random bytes for the
structured span API target. Deterministic for a given demo output (the demo's
ids and times differ from run to run).

usage: fuzz/make_seeds.py [--demo build/examples/circuit_build] [--out fuzz/corpus]
"""
import argparse
import ctypes
import ctypes.util
import os
import random
import struct
import subprocess
import tempfile

MAGIC = b"\x89HSP\r\n\x1a\n"

_xxhash = ctypes.CDLL(ctypes.util.find_library("xxhash") or "libxxhash.so.0")
_xxhash.XXH3_64bits.restype = ctypes.c_uint64
_xxhash.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def string(s):
    return varint(len(s)) + s


def frame(kind, payload):
    head = bytes([kind]) + struct.pack("<I", len(payload))
    return head + payload + struct.pack("<Q", _xxhash.XXH3_64bits(head + payload, len(head) + len(payload)))


def preamble(major=1, minor=0):
    return MAGIC + struct.pack("<HH", major, minor)


def header_frame(service=b"svc"):
    payload = varint(1_700_000_000_000_000_000) + varint(123456789) + varint(42) + string(service)
    payload += varint(1) + string(b"service.name") + string(service) + string(b"hotspan 0.1.0")
    return frame(1, payload)


def frames_of(data):
    """(offset, length) of each complete frame after the preamble."""
    out, offset = [], 12
    while offset + 13 <= len(data):
        (length,) = struct.unpack_from("<I", data, offset + 1)
        if offset + 13 + length > len(data):
            break
        out.append((offset, 13 + length))
        offset += 13 + length
    return out


def sealed(data):
    data = bytearray(data)
    for offset, size in frames_of(bytes(data)):
        body = bytes(data[offset:offset + size - 8])
        data[offset + size - 8:offset + size] = struct.pack("<Q", _xxhash.XXH3_64bits(body, len(body)))
    return bytes(data)


def span(flags, trace, span_id, name_ref, start_delta, duration, thread, attributes=b"\x00", extras=b""):
    out = bytes([flags])
    if not flags & 0x40:
        out += trace
    out += span_id
    if flags & 0x20:
        out += b"\x00\x00\x00\x00\x00\x00\x00\x07"
    return out + name_ref + varint(start_delta) + varint(duration) + varint(thread) + attributes + extras


def binary_edge_cases():
    trace = bytes(range(1, 17))
    sid = b"\x00\x00\x00\x00\x00\x00\x00\x05"
    strings = frame(2, varint(0) + varint(2) + string(b"root") + string(b"key"))
    attrs = (varint(4) + varint(2) + b"\x01" + varint(84) + varint(2) + b"\x00\x01" + varint(2) + b"\x02" +
             struct.pack("<d", float("nan")) + varint(2) + b"\x03" + string(b"v\xff\x00"))
    event = varint(1) + varint(10) + varint(1) + varint(2) + b"\x03" + string(b"e")
    extras = string(b"status \xe2\x82") + varint(3) + varint(4) + varint(1) + event
    one_span = frame(3, varint(1_700_000_000_000_000_000) + varint(2) +
                     span(0x80 | 0x10 | 0x02, trace, sid, varint(0), 0, 1000, 7, attrs, extras) +
                     span(0x40 | 0x20, trace, b"\x00\x00\x00\x00\x00\x00\x00\x06", varint(2 * 2 + 1) + b"in",
                          3, 5, 7))
    drops = frame(4, b"".join(varint(v) for v in (1, 2, 3, 4, 5, 6)))
    end = frame(5, varint(2) + b"".join(varint(v) for v in (1, 2, 3, 4, 5, 6)))
    good = preamble() + header_frame() + strings + one_span + drops + end
    return {
        "crafted_complete": good,
        "crafted_unclosed": preamble() + header_frame() + strings + one_span,
        "crafted_minor_version": preamble(1, 7) + header_frame() + frame(9, b"future") + end,
        "crafted_major_version": preamble(2, 0) + header_frame() + end,
        "crafted_second_header": preamble() + header_frame() + header_frame(),
        "crafted_first_not_header": preamble() + strings + header_frame(),
        "crafted_string_index_gap": preamble() + header_frame() + frame(2, varint(5) + varint(1) + string(b"x")),
        "crafted_undefined_string": preamble() + header_frame() + one_span,
        "crafted_zero_spans": preamble() + header_frame() + frame(3, varint(1) + varint(0)),
        "crafted_data_after_end": good + drops,
        "crafted_huge_length": preamble() + header_frame() + b"\x03\xff\xff\xff\xff",
        "crafted_bad_checksum": preamble() + header_frame() + strings[:-1] + bytes([strings[-1] ^ 1]),
        "crafted_trailing_bytes": preamble() + header_frame() + frame(4, b"\x00" * 7),
        "magic_only": MAGIC,
        "preamble_only": preamble(),
        "empty": b"",
    }


def binary_variants(name, data, rng):
    out = {name: data}
    boundaries = [offset for offset, _ in frames_of(data)]
    for cut in sorted({5, 11, 12, 13, 20, len(data) // 2, len(data) - 1} |
                      {b + 3 for b in boundaries[:3]}):
        if 0 < cut < len(data):
            out[f"{name}_cut_{cut}"] = data[:cut]
    for i in range(4):
        flipped = bytearray(data)
        position = rng.randrange(12, len(data))
        flipped[position] ^= 1 << rng.randrange(8)
        out[f"{name}_flip_{position}"] = bytes(flipped)
        out[f"{name}_flip_{position}_sealed"] = sealed(flipped)
    return out


def jsonl_edge_cases(demo_lines):
    first = demo_lines[0]
    ids = '"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"'
    base = '{' + ids + ',"name":"n","start_unix_ns":1,"end_unix_ns":2'
    return {
        "line_first": first + b"\n",
        "line_crlf": first + b"\r\n" + demo_lines[1] + b"\r\n",
        "line_cut": first + b"\n" + demo_lines[1][: len(demo_lines[1]) // 2],
        "line_minimal": (base + "}\n").encode(),
        "line_values": (base + ',"attributes":{"i":-9223372036854775808,"u":18446744073709551615,'
                        '"d":-0.0,"e":1e308,"t":true,"s":"\\u0000\\ud83d\\ude00\\u001f\\"","n":"NaN",'
                        '"k":1,"k":2},"kind":"consumer","status":"cancelled",'
                        '"parent_span_id":"0000000000000000","thread_id":4294967296,'
                        '"dropped_attributes":4294967296}\n').encode(),
        "line_events": (base + ',"events":[{"name":"a","time_unix_ns":3,"attributes":{"x":"y"}},'
                        '{"name":"b"}],"status_message":"\\udc00"}\n').encode(),
        "line_uppercase_ids": base.replace("4bf92f", "4BF92F").encode() + b',"parent_span_id":"00F067AA0BA902B8"}\n',
        "line_bad": b'\n \t\n[]\nnull\n{"trace_id":1}\n' + (base + ',"kind":"weird"}\n').encode() +
                    (base + '} trailing\n').encode() + (base + ',"attributes":{"a":[1]}}\n').encode() +
                    b'{"span_id":"00f067aa0ba902b7"}\n',
        "line_invalid_utf8": (base + ',"name":"').encode() + b"\xff\xfe\xc0\xaf" + b'"}\n',
    }


TRACEPARENTS = {
    "w3c_example": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "w3c_sampled": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    "w3c_not_sampled": "00-0af7651916cd43dd8448eb211c80319c-b9c7c989f97918e1-00",
    "flags_ff": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff",
    "version_ff": "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "version_01_longer": "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future",
    "uppercase": "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
    "zero_trace": "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
    "zero_parent": "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
    "short": "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
    "spaces": " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ",
    "bad_separator": "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
    "ids": "4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7 4BF92F3577B34DA6A3CE929D0E0E4736",
    "empty": "",
}


def write(directory, files):
    os.makedirs(directory, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", default="build/examples/circuit_build")
    parser.add_argument("--out", default="fuzz/corpus")
    args = parser.parse_args()
    rng = random.Random(6)

    with tempfile.TemporaryDirectory() as tmp:
        made = {}
        for fmt in ("binary", "jsonl"):
            path = os.path.join(tmp, "demo." + fmt)
            subprocess.run([args.demo, "--out", path, "--format", fmt, "--circuits", "1",
                            "--threads", "1", "--seed", "3"], check=True, stdout=subprocess.DEVNULL)
            with open(path, "rb") as f:
                made[fmt] = f.read()

    binary = binary_variants("demo", made["binary"], rng)
    binary.update(binary_edge_cases())
    demo_lines = made["jsonl"].split(b"\n")
    jsonl = {"demo": made["jsonl"]}
    jsonl.update(jsonl_edge_cases(demo_lines))

    write(os.path.join(args.out, "fuzz_binary_reader"), binary)
    write(os.path.join(args.out, "fuzz_jsonl_reader"), jsonl)
    write(os.path.join(args.out, "fuzz_traceparent"), {k: v.encode() for k, v in TRACEPARENTS.items()})
    cli = {k: v for k, v in binary.items() if k.startswith("crafted") or "_cut_" in k}
    cli.update({"demo.bin": made["binary"], "demo.jsonl": made["jsonl"]})
    cli.update({k: v for k, v in jsonl.items() if k.startswith("line_")})
    write(os.path.join(args.out, "fuzz_cli_inputs"), cli)
    write(os.path.join(args.out, "fuzz_span_api"),
          {f"random_{n}": rng.randbytes(n) for n in (16, 64, 128, 256, 512, 1024, 2048, 4096)})


if __name__ == "__main__":
    main()
