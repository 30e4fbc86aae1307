"""Small ICC profiles built byte by byte (ICC.1 version 2 layout), for the color-management
tests: a gray profile with a gamma tone curve (Photoshop's "Gray Gamma 1.8" kind), an RGB
matrix/TRC profile, and a CMYK profile with an 8-bit lookup table. little-CMS loads them."""
import struct

import numpy as np

D50 = (0.9642, 1.0, 0.8249)


def _s15(*values):
    return b"".join(struct.pack(">i", round(v * 65536)) for v in values)


def _xyz(*values):
    return b"XYZ " + b"\0" * 4 + _s15(*values)


def _curve(gamma):
    return b"curv" + b"\0" * 4 + struct.pack(">IH", 1, round(gamma * 256)) + b"\0\0"


def _desc(text):
    ascii_ = text.encode("ascii") + b"\0"
    return (b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii_)) + ascii_ + b"\0" * 8
            + b"\0" * 3 + b"\0" * 67)


def _profile(kind, space, pcs, tags):
    """A profile of device ``space`` (b"GRAY", b"RGB ", b"CMYK") from (signature, body)."""
    tags = [(b"desc", _desc(tags.pop("desc"))), (b"wtpt", _xyz(*D50)),
            (b"cprt", b"text" + b"\0" * 4 + b"no copyright\0"), *tags.items()]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    header = (struct.pack(">I", offset + len(data)) + b"lcms" + bytes([2, 0x10, 0, 0]) + kind
              + space + pcs + b"\0" * 12 + b"acsp" + b"\0" * 4 + b"\0" * 12 + b"\0" * 8
              + struct.pack(">I", 0) + _s15(*D50) + b"\0" * 4 + b"\0" * 16 + b"\0" * 28)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def gray_gamma(gamma=1.8):
    """A gray display profile whose tone curve is ``value ** gamma``."""
    return _profile(b"mntr", b"GRAY", b"XYZ ",
                    {"desc": f"Gray Gamma {gamma}", b"kTRC": _curve(gamma)})


def rgb_gamma(gamma=1.8):
    """An RGB matrix/TRC profile: sRGB's primaries (D50-adapted) with ``value ** gamma``."""
    primaries = {b"rXYZ": (0.4361, 0.2225, 0.0139), b"gXYZ": (0.3851, 0.7169, 0.0971),
                 b"bXYZ": (0.1431, 0.0606, 0.7141)}
    tags = {"desc": f"RGB Gamma {gamma}"}
    tags.update({sig: _xyz(*xyz) for sig, xyz in primaries.items()})
    tags.update({sig: _curve(gamma) for sig in (b"rTRC", b"gTRC", b"bTRC")})
    return _profile(b"mntr", b"RGB ", b"XYZ ", tags)


def cmyk_dot_gain(gain=0.5):
    """A CMYK output profile (A2B0: an 8-bit lookup table to Lab) with strong dot gain:
    each ink covers ``(value / 255) ** gain`` of the paper, so 50 % black prints at about
    L* 29, where a file read without its profile (ink = value / 255) shows L* 53."""
    corners = []
    for c, m, y, k in np.ndindex(2, 2, 2, 2):  # the CLUT's 16 corners, last input fastest
        ink = min(1.0, (c + m + y) / 3 + k)
        corners.append(100 * (1 - ink))
    clut = b"".join(bytes([round(L / 100 * 255), 128, 128]) for L in corners)  # neutral
    gained = bytes(round(255 * (x / 255) ** gain) for x in range(256))
    identity = bytes(range(256))
    lut = (b"mft1" + b"\0" * 4 + bytes([4, 3, 2, 0]) + _s15(1, 0, 0, 0, 1, 0, 0, 0, 1)
           + gained * 4 + clut + identity * 3)
    return _profile(b"prtr", b"CMYK", b"Lab ", {"desc": "Dot gain CMYK", b"A2B0": lut})
