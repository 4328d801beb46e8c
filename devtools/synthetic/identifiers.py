"""Synthetic identifiers with the real structure: NHS numbers (modulus 11), UPNs (check letter)."""

from __future__ import annotations

import numpy as np

UPN_LETTERS = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))
COVENTRY_LA = 331


def nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Valid 10-digit NHS numbers: 9 digits then 11 - (sum of digit x (10 - position) mod 11)."""
    out = []
    while sum(len(o) for o in out) < n:
        digits = rng.integers(0, 10, (n + 16, 9))
        digits[:, 0] = rng.integers(4, 10, n + 16)  # issued numbers start 4-9
        check = 11 - (digits * np.arange(10, 1, -1)).sum(1) % 11
        check[check == 11] = 0
        ok = check != 10
        out.append(np.hstack([digits[ok], check[ok, None]]))
    digits = np.vstack(out)[:n]
    return (digits * 10 ** np.arange(9, -1, -1)).sum(1).astype(str)


def upns(rng: np.random.Generator, n: int, year: int) -> np.ndarray:
    """Unique UPNs: check letter + LA 331 + 2-digit year + 7-digit serial (pattern ^[A-Z][0-9]{12}$)."""
    serial = rng.choice(10_000_000, size=n, replace=False)
    value = (COVENTRY_LA * 100 + year % 100) * 10**7 + serial
    digits = value[:, None] // 10 ** np.arange(11, -1, -1) % 10
    check = UPN_LETTERS[(digits * np.arange(2, 14)).sum(1) % 23]
    return np.char.add(check, value.astype(str))


def serials(rng: np.random.Generator, prefix: str, n: int, width: int = 7) -> np.ndarray:
    """Unique reference numbers like ``ADV0012345`` in random order."""
    nums = rng.choice(10**width, size=n, replace=False)
    return np.char.add(prefix, np.char.zfill(nums.astype(str), width))
