"""Reading a file's bytes and decoding its text: size limit, file signatures, encodings.

Encodings are decided by hand, not by charset-normalizer: the files are spreadsheet exports
whose text is UTF-8 (with or without BOM), UTF-16 (with or without BOM) or a Western Windows
code page, and for those a fixed order (BOM, UTF-16 by its NUL pattern, strict UTF-8, cp1252,
latin-1) is exact and costs one decode; a statistical detector reads a few accents in a
cp1252 file as cp1250 or cp775 and takes seconds on a large one.
"""

from __future__ import annotations

import contextlib
import re
import stat
from pathlib import Path

from smmkpi.ingest.problems import Collector

SAMPLE = 65536  # bytes looked at to tell text from binary and to sniff the delimiter

_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
EMPTY = "the file is empty (expected a header row and at least one data row)"


def name_of(src: object) -> str:
    """The file name shown in problems: a path's name, a file object's name, else 'upload'."""
    if isinstance(src, (str, Path)):
        return Path(src).name
    n = getattr(src, "name", None)
    return Path(n).name if isinstance(n, str) else "upload"


def not_a_file(path: Path) -> str | None:
    """Why `path` cannot be read as a file (missing, a folder, a named pipe, a socket, a
    device), or None when it is a regular file. Asks the file system only: a named pipe is
    never opened (that would block until something writes to it)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "no such file"
    except OSError as e:
        return f"cannot be read ({e.strerror})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe, not a file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file"
    return "is a device or other special file, not a regular file"


def read_source(src: object, limit: int, col: Collector) -> bytes:
    """The bytes of a path, a binary (or text) file object or bytes; `limit` bytes at most
    (0 = no limit), else a fatal problem."""
    size = f"{limit / 2**20:,.1f} MB" if limit >= 2**20 else f"{limit:,} bytes"
    too_big = (
        f"the file is larger than the limit of {size} (a setting: SMMKPI_MAX_UPLOAD_MB); "
        "split it or raise the limit"
    )
    if isinstance(src, (str, Path)):
        p = Path(src)
        try:
            if limit > 0 and p.stat().st_size > limit:
                raise col.fatal(too_big)
            return p.read_bytes()
        except OSError as exc:
            raise col.fatal(f"cannot read the file ({exc.strerror or exc})") from None
    if isinstance(src, (bytes, bytearray, memoryview)):
        data = bytes(src)
    elif hasattr(src, "read"):
        got = src.read(limit + 1) if limit > 0 else src.read()  # type: ignore[union-attr]
        data = got.encode("utf-8") if isinstance(got, str) else bytes(got)
    else:
        raise col.fatal(f"cannot read a {type(src).__name__} (expected bytes, a file or a path)")
    if limit > 0 and len(data) > limit:
        raise col.fatal(too_big)
    return data


def is_empty(data: bytes) -> bool:
    """Nothing but white space, or a byte order mark alone."""
    return re.search(rb"[^ \t\r\n\f]", data) is None or data in _BOMS


def decode(data: bytes, col: Collector) -> tuple[bytes, str]:
    """UTF-8 bytes of a text file and the encoding found, or a fatal problem."""
    for sig, what in _SIGNATURES:
        if data.startswith(sig):
            raise col.fatal(f"this is not a CSV or XLSX file: it looks like {what}")
    if data.startswith(b"\xef\xbb\xbf"):
        data, enc = data[3:], "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise col.fatal("the file starts like UTF-16 text but cannot be decoded") from None
        data, enc = text.encode("utf-8"), "utf-16"
    else:
        enc = "utf-8"
    sample = data[:SAMPLE]
    if enc == "utf-8" and b"\x00" in sample:
        data, enc = _utf16_without_bom(data, sample)
        sample = data[:SAMPLE]
    if b"\x00" in sample:
        raise col.fatal("this is a binary file, not a CSV text file (it contains NUL bytes)")
    if enc != "utf-16":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            for candidate in ("cp1252", "latin-1"):
                try:
                    data, enc = data.decode(candidate).encode("utf-8"), candidate
                    break
                except UnicodeDecodeError:
                    continue
    text = data[:SAMPLE].decode("utf-8", errors="replace")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f") + text.count("\ufffd")
    if text and controls / len(text) > 0.01:
        raise col.fatal("this is a binary file, not a CSV text file (it has control characters)")
    if re.search(rb"[^ \t\r\n\f]", data) is None:
        raise col.fatal(EMPTY)
    if b"\n" not in data and b"\r" in data:  # old Mac line ends
        data = data.replace(b"\r", b"\n")
    return data, enc


def _utf16_without_bom(data: bytes, sample: bytes) -> tuple[bytes, str]:
    """UTF-16 without a byte order mark, told by NUL in every other byte of ASCII text: the
    text as UTF-8 and its encoding; else the bytes unchanged as 'utf-8'."""
    even, odd = sample[0::2], sample[1::2]
    guess = (
        "utf-16-le"
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even)
        else "utf-16-be"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd)
        else None
    )
    if guess is not None:
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode(guess).encode("utf-8"), guess
    return data, "utf-8"
